package emit

import (
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"github.com/expman-dev/expman/gen/internal/model"
)

// small returns a model with one defined slice type, one map field and a pointer to a
// defined scalar, the shapes the golden cases exercise least.
func small() *model.File {
	port := &model.Named{Name: "Port", Kind: model.Defined, Doc: []string{"Port is a port."}, Underlying: &model.Type{Kind: model.Int}}
	widths := &model.Named{Name: "Widths", Kind: model.Defined, Doc: []string{"Widths are widths."},
		Underlying: &model.Type{Kind: model.Slice, Elem: &model.Type{Kind: model.Int}}}
	portT := &model.Type{Kind: model.Ref, Named: port}
	widthsT := &model.Type{Kind: model.Ref, Named: widths}
	labelsT := &model.Type{Kind: model.Map, Elem: &model.Type{Kind: model.String}}
	settings := &model.Named{Name: "Settings", Kind: model.Struct, Doc: []string{"Settings are settings."}, Fields: []*model.Field{
		{Name: "Port", Key: "port", Type: &model.Type{Kind: model.Pointer, Elem: portT}, Tags: map[string]string{"json": "port,omitempty", "yaml": "port,omitempty"}},
		{Name: "Widths", Key: "widths", Type: widthsT, Tags: map[string]string{"json": "widths", "yaml": "widths"}},
		{Name: "Labels", Key: "labels", Type: labelsT, Tags: map[string]string{"json": "labels", "yaml": "labels"}},
	}}
	settingsT := &model.Type{Kind: model.Ref, Named: settings}
	return &model.File{
		Package:  "demo",
		Settings: settings,
		Types:    []*model.Named{settings, port, widths},
		Experiment: model.Experiment{Name: "demo", ID: 1, Timeout: model.Duration{{Count: 1, Unit: "Hour"}, {Count: 30, Unit: "Minute"}}, Files: []model.Source{
			{Name: "base.yaml", Content: "settings: {}\n", Raw: true},
			{Name: "trials.yaml", Content: "- name: `x`\r\n", Raw: false},
		}},
		Trials: []model.Trial{{Name: "t", ID: 1, Repeat: 1, Slurm: &model.Slurm{Fields: []model.SlurmField{
			{Name: "Partition", Kind: model.SlurmString, Str: "gpu"},
			{Name: "GPUs", Kind: model.SlurmInt, Int: 2},
			{Name: "Setup", Kind: model.SlurmLines, Lines: []string{"module load cuda"}},
		}}, Timeout: model.Duration{{Count: 90, Unit: "Second"}}, Settings: &model.Value{Kind: model.Composite, Type: settingsT, Fields: []model.FieldValue{
			{Name: "Port", Value: &model.Value{Kind: model.PtrTo, Elem: &model.Value{Kind: model.Convert, Type: portT, Elem: &model.Value{Kind: model.IntLit, Int: 80}}}},
			{Name: "Widths", Value: &model.Value{Kind: model.Composite, Type: widthsT, Elems: []*model.Value{{Kind: model.IntLit, Int: 3}}}},
			{Name: "Labels", Value: &model.Value{Kind: model.Composite, Type: labelsT, Entries: []model.MapEntry{{Key: "a", Value: &model.Value{Kind: model.StringLit, Str: "b"}}}}},
		}}}},
	}
}

func TestFilePrintsWhatTheModelSays(t *testing.T) {
	out, err := File(small())
	if err != nil {
		t.Fatal(err)
	}
	src := string(out)
	if _, err := parser.ParseFile(token.NewFileSet(), "x.go", out, 0); err != nil {
		t.Fatalf("output does not parse: %v\n%s", err, src)
	}
	for _, want := range []string{
		Header + "\n\npackage demo\n",
		"type Port int\n",
		"type Widths []int\n",
		"Port:   runtime.Ptr(Port(80)),",
		"Widths: Widths{3},",
		"\"a\": \"b\",",
		"Content: `settings: {}\n`,",
		"Content: \"- name: `x`\\r\\n\",",
		"const (\n\t_ = runtime.EnforceVersion(runtime.GenVersion - 3)\n\t_ = runtime.EnforceVersion(3 - runtime.MinGenVersion)\n)",
		"\t\"time\"\n",
		"Timeout: time.Hour + 30*time.Minute,\n",
		"Timeout: 90 * time.Second,\n",
		"Slurm: &runtime.SlurmSpec{\n\t\t\tPartition: \"gpu\",\n\t\t\tGPUs:      2,\n\t\t\tSetup:     []string{\"module load cuda\"},\n\t\t},\n",
		"run go generate ./... with the expman version in go.mod",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("output lacks %q:\n%s", want, src)
		}
	}
}

func TestFormattingFailureShowsNumberedSource(t *testing.T) {
	m := small()
	m.Types[1].Name = "not an identifier"
	_, err := File(m)
	if err == nil {
		t.Fatal("File succeeded on an invalid identifier")
	}
	for _, want := range []string{"formatting generated code", "    1  " + Header} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}
