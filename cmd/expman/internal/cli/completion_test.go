package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCompletionScriptsParse checks both scripts with the shells' own parsers and that they
// name every command and every flag of every command.
func TestCompletionScriptsParse(t *testing.T) {
	for _, shell := range []string{"bash", "zsh"} {
		t.Run(shell, func(t *testing.T) {
			code, script, stderr := run(t, "completion", shell)
			if code != exitOK || stderr != "" {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, c := range commands() {
				if !strings.Contains(script, c.name) {
					t.Errorf("the script lacks command %s", c.name)
				}
			}
			for _, flag := range []string{"-config", "-trial", "-workspace", "-set", "-force", "-lang"} {
				if !strings.Contains(script, flag) {
					t.Errorf("the script lacks flag %s", flag)
				}
			}
			sh, err := exec.LookPath(shell)
			if err != nil {
				t.Skipf("%s is not installed", shell)
			}
			path := filepath.Join(t.TempDir(), "expman."+shell)
			os.WriteFile(path, []byte(script), 0o644)
			if out, err := exec.Command(sh, "-n", path).CombinedOutput(); err != nil {
				t.Fatalf("%s -n: %v\n%s", shell, err, out)
			}
			if shell == "zsh" {
				// Loading it after compinit defines the function and registers it.
				load := `autoload -U compinit && compinit -u -d "$1.dump" && source "$1" && (( $+functions[_expman] )) && [[ $_comps[expman] == _expman ]]`
				if out, err := exec.Command(sh, "-f", "-c", load, "zsh", path).CombinedOutput(); err != nil {
					t.Fatalf("zsh could not load the script: %v\n%s", err, out)
				}
			}
		})
	}
}

// TestBashCompletes drives the bash function as bash's completion would, with an expman
// binary built from this repository answering the trial queries.
func TestBashCompletes(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	if testing.Short() {
		t.Skip("builds expman; skipped with -short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "expman")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/expman-dev/expman/cmd/expman").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	_, script, _ := run(t, "completion", "bash")
	scriptPath := filepath.Join(dir, "expman.bash")
	os.WriteFile(scriptPath, []byte(script), 0o644)
	os.MkdirAll(filepath.Join(dir, "folder", "sub"), 0o755)

	for _, tc := range []struct {
		words []string // the last one is being completed
		want  []string
	}{
		{[]string{"ex"}, []string{"explain"}},
		{[]string{"plan", "-w"}, []string{"-workspace"}},
		{[]string{"plan", "-format", ""}, []string{"json", "text"}},
		{[]string{"init", "-lang", ""}, []string{"command", "go"}},
		{[]string{"explain", "-config", filepath.Join(dir, "fol")}, []string{filepath.Join(dir, "folder")}},
		{[]string{"explain", "-config", study, "-trial", "lr"}, []string{
			"lr_grid/learning_rate=0.01,hidden_layers=128-64", "lr_grid/learning_rate=0.01,hidden_layers=64",
			"lr_grid/learning_rate=0.1,hidden_layers=128-64", "lr_grid/learning_rate=0.1,hidden_layers=64"}},
		{[]string{"diff", "-config", study, "baseline", "a"}, []string{"adam"}},
		{[]string{"completion", ""}, []string{"bash", "zsh"}},
		// As bash splits it, at "=": the replies complete bash's last word.
		{[]string{"explain", "-config", study, "-trial", "lr_grid/learning_rate", "=", "0.1,hid"}, []string{
			"0.1,hidden_layers=128-64", "0.1,hidden_layers=64"}},
		{[]string{"explain", "-config", study, "-trial", "lr_grid/learning_rate", "="}, []string{
			"=0.01,hidden_layers=128-64", "=0.01,hidden_layers=64", "=0.1,hidden_layers=128-64", "=0.1,hidden_layers=64"}},
	} {
		words := append([]string{bin}, tc.words...)
		var quoted []string
		line := ""
		for i, w := range words {
			quoted = append(quoted, shellQuote(w))
			if i > 0 && w != "=" && words[i-1] != "=" {
				line += " "
			}
			line += w
		}
		prog := `source "$1"; COMP_WORDS=(` + strings.Join(quoted, " ") + `); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); ` +
			`COMP_LINE=` + shellQuote(line) + `; COMP_POINT=${#COMP_LINE}; _expman; printf '%s\n' "${COMPREPLY[@]}"`
		cmd := exec.Command(bash, "--norc", "-c", prog, "bash", scriptPath)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%v: %v\n%s", tc.words, err, out)
			continue
		}
		got := strings.Fields(string(out))
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("completing %q: got %q, want %q", tc.words, got, tc.want)
		}
	}
}

func TestCompletionTrials(t *testing.T) {
	code, stdout, _ := run(t, "completion", "trials", study)
	if code != exitOK || !strings.HasPrefix(stdout, "baseline\nadam\nlr_grid/") || strings.Count(stdout, "\n") != 6 {
		t.Errorf("exit %d, stdout:\n%s", code, stdout)
	}
	// A folder that does not load completes nothing, and says nothing.
	code, stdout, stderr := run(t, "completion", "trials", "does-not-exist")
	if code != exitOK || stdout != "" || stderr != "" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestParseFlagUsage(t *testing.T) {
	var usage strings.Builder
	e := &env{stdout: &usage, stderr: &usage, getenv: func(string) string { return "" }}
	runInit(t.Context(), e, []string{"-h"})
	flags := parseFlagUsage(usage.String())
	byName := map[string]flagInfo{}
	for _, f := range flags {
		byName[f.name] = f
	}
	if f := byName["lang"]; f.value != valueChoice || !slices.Equal(f.choices, []string{"go", "command"}) {
		t.Errorf("-lang: %+v", f)
	}
	if f := byName["script"]; f.value != valueChoice || !slices.Equal(f.choices, []string{"python", "sh"}) {
		t.Errorf("-script: %+v", f)
	}
	if f := byName["force"]; f.value != valueNone {
		t.Errorf("-force: %+v", f)
	}
	if f := byName["name"]; f.value != valueAny {
		t.Errorf("-name: %+v", f)
	}
}
