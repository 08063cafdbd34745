// Package model decides what the generator prints: the intermediate representation
// between a loaded config (package config) and Go source (package emit).
//
// Build walks the settings schema once and fixes every decision the emitter must not
// make: the Go name of every type, field and constant (via package naming, with clashes
// resolved deterministically or reported), each field's type and pointer-ness, the
// declaration order (Settings first, then every other type in the order the schema first
// uses it), the struct tags, the doc comments, and, for every trial, a typed literal of
// its resolved settings.
//
// Naming of types made up for nested schemas: an object or enum under key k is named
// Exported(k) (Optimizer); an array's or map's element type is the singular of the key
// (layers -> Layer) or the key plus Item/Value. When the name is taken (by a "$defs"
// entry, an earlier type, or one of Settings, Experiment, Trials, RunExperiment), the
// enclosing type's name is prepended (ModelConfig), then a number appended. "$defs" and
// "definitions" entries keep their own names and are declared only when used.
//
// Pointer-ness: a property neither in "required" nor with a "default" is optional and,
// unless its type is a slice or a map (whose nil already means "unset"), a pointer. A
// ["T", "null"] type is a pointer even when required. So is a field whose "$ref" leads back
// to a struct that contains it (a linked list, a tree): Go has no value type of
// infinite size.
//
// Literals: integers may fill float64 fields (printed as 1.0 so runtime.Ptr infers
// float64), optional scalars become runtime.Ptr(v), optional structs &T{...}, null or
// absent optional settings are left out (nil). A setting the struct cannot hold (the
// schema let it through "additionalProperties") is a positioned error, never dropped.
//
// Timeouts: a duration is printed exactly, in the words a person would use: one term in
// the largest unit that divides it when the count has at most three digits (90*time.Minute,
// 250*time.Millisecond), else one term per unit (time.Hour + 30*time.Minute +
// 15*time.Second). None is left out of the literal.
//
// Every problem is reported, positioned, in one schema.ErrorList.
package model
