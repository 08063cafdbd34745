package schema_test

import (
	"encoding/json"
	"math"
	"regexp"
	"testing"

	"github.com/expman-dev/expman/schema"
)

func TestFromInterface(t *testing.T) {
	type inner struct {
		B []int `json:"b"`
		A string
	}
	for _, c := range []struct {
		in   any
		want string
	}{
		{nil, `null`},
		{map[string]any{"z": 1, "a": []any{true, 2.5, "x", nil}}, `{"a":[true,2.5,"x",null],"z":1}`},
		{json.Number("12"), `12`},
		{json.Number("1.5e3"), `1500.0`},
		{uint8(7), `7`},
		{float32(0.5), `0.5`},
		{[]string{"a"}, `["a"]`},
		{[2]int{1, 2}, `[1,2]`},
		{inner{B: []int{1}, A: "y"}, `{"b":[1],"A":"y"}`}, // struct fields in order, by json tags
		{&inner{A: "p"}, `{"b":null,"A":"p"}`},
		{map[int]string{2: "b"}, `{"2":"b"}`},
		{make(chan int), `null`},
		{math.NaN(), `NaN`}, // kept; MarshalJSON reports it
	} {
		v := schema.FromInterface(c.in)
		got, err := v.MarshalJSON()
		if err != nil {
			got = []byte("NaN")
		}
		if string(got) != c.want {
			t.Errorf("FromInterface(%#v) = %s, want %s", c.in, got, c.want)
		}
	}
	// Interface and FromInterface round-trip.
	orig := map[string]any{"a": int64(1), "b": []any{"x", 2.5}, "c": map[string]any{"d": false}}
	back := schema.FromInterface(orig).Interface()
	a, _ := json.Marshal(orig)
	b, _ := json.Marshal(back)
	if string(a) != string(b) {
		t.Errorf("round trip %s, want %s", b, a)
	}
}

func TestFromJSON(t *testing.T) {
	v, err := schema.FromJSON([]byte(` {"z": 1, "a": {"y": [1, 2.0, "s", null, false]}} `))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := v.MarshalJSON()
	if string(got) != `{"z":1,"a":{"y":[1,2.0,"s",null,false]}}` {
		t.Errorf("FromJSON kept %s", got)
	}
	if v.Get("z").Kind != schema.Int || v.Get("a").Get("y").List[1].Kind != schema.Float {
		t.Error("integers must be Int, other numbers Float")
	}
	for _, bad := range []string{``, `{`, `{"a": 1} 2`, `[1,]`} {
		if _, err := schema.FromJSON([]byte(bad)); err == nil {
			t.Errorf("FromJSON(%q) succeeded", bad)
		}
	}
}

func TestTrialNamePattern(t *testing.T) {
	re := regexp.MustCompile(schema.TrialNamePattern)
	for name, want := range map[string]bool{
		"small": true,
		"lr_grid/learning_rate=0.01,hidden_layers=128-64": true,
		"g/optimizer.lr=1e-05":                            true,
		"g/x=":                                            true,
		"g/a=+1,b=-2":                                     true,
		"g/":                                              false,
		"g/x":                                             false,
		"g/x=1/y=2":                                       false,
		"g/x=a b":                                         false,
		"/x=1":                                            false,
		"g/x=1,":                                          false,
		"a b":                                             false,
	} {
		if got := re.MatchString(name); got != want {
			t.Errorf("%q matches = %v, want %v", name, got, want)
		}
	}
}

func TestLayerNames(t *testing.T) {
	want := []string{"none", "default", "base", "experiment", "trial", "sweep", "override"}
	for i, w := range want {
		if got := schema.Layer(i).String(); got != w {
			t.Errorf("Layer(%d) = %q, want %q", i, got, w)
		}
	}
}
