package model

// File is everything the emitter prints, fully decided: names, types, order, pointers and
// the literal of every trial's settings.
type File struct {
	Package    string
	Settings   *Named   // the root settings struct; also Types[0]
	Types      []*Named // Settings first, then every other type in order of first use
	Experiment Experiment
	Trials     []Trial
}

// Experiment is what experiment.yaml says, plus the config sources compiled into the program.
type Experiment struct {
	Name    string
	ID      int
	Desc    string
	Timeout Duration // limits each run; none when empty
	Slurm   *Slurm   // experiment.yaml's slurm section; nil when absent
	Files   []Source
}

// Slurm is a slurm section, printed as a runtime.SlurmSpec literal with its non-zero
// fields in this order.
type Slurm struct {
	Fields []SlurmField
}

// SlurmField is one field of a runtime.SlurmSpec literal: a string, an int or a []string.
type SlurmField struct {
	Name  string // the Go field name in runtime.SlurmSpec
	Str   string
	Int   int
	Lines []string
	Kind  SlurmFieldKind
}

// SlurmFieldKind is the Go type of a SlurmField.
type SlurmFieldKind int

// The kinds of SlurmField.
const (
	SlurmString SlurmFieldKind = iota + 1
	SlurmInt
	SlurmLines
)

// Source is one config file, carried verbatim.
type Source struct {
	Name    string
	Content string
	// Raw says the content can be printed as a raw string literal (it has no backquote,
	// carriage return, NUL or byte-order mark and is valid UTF-8); else it is quoted.
	Raw bool
}

// Trial is one element of the trial registry.
type Trial struct {
	Name     string
	ID       int
	Repeat   int
	Timeout  Duration // the trial's own; none when empty
	Slurm    *Slurm   // the trial's own slurm section; nil when absent
	Settings *Value   // a Composite of type Settings
}

// Duration is a time.Duration as Go source: the sum of its terms, largest unit first, such
// as 90*time.Minute or time.Hour + 30*time.Minute. No terms means no duration.
type Duration []DurationTerm

// DurationTerm is Count * time.<Unit>, printed as time.<Unit> alone when Count is 1.
type DurationTerm struct {
	Count int64
	Unit  string // a time constant: "Hour", "Minute", "Second", "Millisecond", ...
}

// TypeKind is the shape of a Type.
type TypeKind int

// The kinds of Type.
const (
	Bool    TypeKind = iota + 1 // bool
	Int                         // int
	Float                       // float64
	String                      // string
	Slice                       // []Elem
	Map                         // map[string]Elem
	Pointer                     // *Elem
	Ref                         // a Named type
)

// Type is a Go type expression.
type Type struct {
	Kind  TypeKind
	Elem  *Type  // Slice, Map (the value type), Pointer
	Named *Named // Ref
}

// NamedKind is the shape of a Named type.
type NamedKind int

// The kinds of Named.
const (
	Struct  NamedKind = iota + 1 // type N struct{ Fields }
	Enum                         // type N string, with one constant per value
	Defined                      // type N Underlying, for a $defs entry that is not an object or enum
)

// Named is a type declared in the generated file.
type Named struct {
	Name       string
	Kind       NamedKind
	Doc        []string     // doc comment lines, without "//"
	Fields     []*Field     // Struct
	Values     []*EnumValue // Enum
	Underlying *Type        // Defined
	Schema     string       // JSON Pointer of the schema it comes from, e.g. "#/properties/optimizer"
}

// Field is a struct field.
type Field struct {
	Name     string
	Key      string // the setting key, as written in the schema
	Doc      []string
	Type     *Type
	Optional bool              // neither required nor defaulted: absent settings are nil
	Tags     map[string]string // struct tag keys and values, e.g. "json": "lr,omitempty"
}

// EnumValue is one constant of an Enum.
type EnumValue struct {
	Name  string // Go constant name
	Value string
}

// ValueKind is the shape of a Value.
type ValueKind int

// The kinds of Value.
const (
	Nil       ValueKind = iota + 1 // nil
	BoolLit                        // Bool
	IntLit                         // Int
	FloatLit                       // Float, printed so that it stays a float constant
	StringLit                      // Str
	Const                          // the enum constant named Str
	Composite                      // a struct, slice or map literal of Type
	PtrTo                          // runtime.Ptr(Elem)
	AddrOf                         // &Elem, Elem a struct Composite
	Convert                        // Type(Elem), so runtime.Ptr infers a named type
)

// Value is a typed Go literal.
type Value struct {
	Kind    ValueKind
	Type    *Type // Composite, Convert
	Bool    bool
	Int     int64
	Float   float64
	Str     string
	Fields  []FieldValue // struct Composite, in field order; absent fields are left out
	Elems   []*Value     // slice Composite
	Entries []MapEntry   // map Composite, in the order of the config file
	Elem    *Value       // PtrTo, AddrOf, Convert
}

// FieldValue is one field of a struct literal.
type FieldValue struct {
	Name  string
	Value *Value
}

// MapEntry is one entry of a map literal.
type MapEntry struct {
	Key   string
	Value *Value
}
