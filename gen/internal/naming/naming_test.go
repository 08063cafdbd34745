package naming

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExported(t *testing.T) {
	tests := []struct{ key, want string }{
		{"model_type", "ModelType"},
		{"hidden_layers", "HiddenLayers"},
		{"learning_rate", "LearningRate"},
		{"epochs", "Epochs"},
		{"id", "ID"},
		{"url", "URL"},
		{"user_id", "UserID"},
		{"userId", "UserID"},
		{"userID", "UserID"},
		{"api_url", "APIURL"},
		{"http_server", "HTTPServer"},
		{"HTTPServer", "HTTPServer"},
		{"https-port", "HTTPSPort"},
		{"gpu.count", "GPUCount"},
		{"num-cpus", "NumCpus"},
		{"learningRate", "LearningRate"},
		{"LearningRate", "LearningRate"},
		{"MAX_ITERS", "MaxIters"},
		{"conv2d", "Conv2d"},
		{"layer_2", "Layer2"},
		{"2d", "X2d"},
		{"_private", "Private"},
		{"type", "Type"},
		{"func", "Func"},
		{"range", "Range"},
		{"with space", "WithSpace"},
		{"ñandú", "Ñandú"},
		{"数据", "X数据"},
		{"---", "X"},
		{"", "X"},
		{"json_path", "JSONPath"},
		{"uuid", "UUID"},
		{"xml", "XML"},
		{"yaml_file", "YAMLFile"},
		{"sql_db", "SQLDB"},
	}
	for _, tt := range tests {
		if got := Exported(tt.key); got != tt.want {
			t.Errorf("Exported(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestWords(t *testing.T) {
	tests := []struct {
		key  string
		want []string
	}{
		{"hidden_layers", []string{"hidden", "layers"}},
		{"learningRate", []string{"learning", "Rate"}},
		{"HTTPServer", []string{"HTTP", "Server"}},
		{"a.b-c d", []string{"a", "b", "c", "d"}},
		{"conv2dLayer", []string{"conv2d", "Layer"}},
		{"", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Words(tt.key)); diff != "" {
			t.Errorf("Words(%q) mismatch (-want +got):\n%s", tt.key, diff)
		}
	}
}

func TestEnumConst(t *testing.T) {
	tests := []struct {
		typ, value, want string
		ok               bool
	}{
		{"Optimizer", "adam", "OptimizerAdam", true},
		{"Optimizer", "sgd-momentum", "OptimizerSgdMomentum", true},
		{"LogLevel", "DEBUG", "LogLevelDebug", true},
		{"Kind", "2d", "Kind2d", true},
		{"Format", "json", "FormatJSON", true},
		{"Sign", "+", "", false},
		{"Sign", "", "", false},
	}
	for _, tt := range tests {
		got, ok := EnumConst(tt.typ, tt.value)
		if got != tt.want || ok != tt.ok {
			t.Errorf("EnumConst(%q, %q) = %q, %v; want %q, %v", tt.typ, tt.value, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSingular(t *testing.T) {
	tests := []struct{ name, want string }{
		{"Layers", "Layer"},
		{"Policies", "Policy"},
		{"Boxes", "Box"},
		{"Classes", "Class"},
		{"Class", "Class"},
		{"Status", "Status"},
		{"Analysis", "Analysis"},
		{"Data", "Data"},
		{"S", "S"},
	}
	for _, tt := range tests {
		if got := Singular(tt.name); got != tt.want {
			t.Errorf("Singular(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
