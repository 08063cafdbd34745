package cli

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"github.com/expman-dev/expman/runtime"
	"github.com/expman-dev/expman/schema"
	"github.com/expman-dev/expman/schema/config"
)

const initExamples = `	expman init myexp                        # a Go program: go generate && go run .
	expman init -name lr_study .             # here, with another experiment name
	expman init -lang command myexp          # a Python script run by expman run
	expman init -lang command -script sh myexp
`

// scaffold holds the templates expman init renders; .tmpl names keep the Go tools from
// reading them as part of this package.
//
//go:embed scaffold
var scaffold embed.FS

// scaffoldFile is one file expman init writes: a template rendered to path (relative to
// DIR, slash-separated).
type scaffoldFile struct {
	template string
	path     string
	mode     fs.FileMode
}

// scaffoldData is what the templates see.
type scaffoldData struct {
	Name       string // experiment name
	Script     string // train.py or train.sh (command variant)
	RunCommand string // the expman run command line (command variant)
}

var namePattern = regexp.MustCompile(schema.NamePattern)

func runInit(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "init", "[-lang go|command] [-script python|sh] [-name NAME] [-force] DIR", initExamples)
	lang := fs.String("lang", "go", "what runs each trial, `LANG`: go (a Go program with typed settings) or command (a script that expman run starts)")
	script := fs.String("script", "python", "with -lang command, the `SCRIPT` to write: python (train.py) or sh (train.sh)")
	name := fs.String("name", "", "experiment `NAME` (default: DIR's base name); letters, digits, _ - and . only")
	force := fs.Bool("force", false, "overwrite files that already exist")
	operands, err := parseOperands(fs, args, "DIR")
	if err != nil {
		return err
	}
	dir := operands[0]
	data := scaffoldData{Name: *name}
	files, err := scaffoldPlan(fs, *lang, *script, &data)
	if err != nil {
		return err
	}
	if data.Name == "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return err
		}
		data.Name = filepath.Base(abs)
		if err := checkExperimentName(data.Name); err != nil {
			return fmt.Errorf("expman init: %v; DIR's base name is the default, pass -name NAME to choose one", err)
		}
	} else if err := checkExperimentName(data.Name); err != nil {
		return usageError(fs, "-name: %v", err)
	}
	rendered, err := renderScaffold(files, data)
	if err != nil {
		return err
	}
	if !*force {
		if err := refuseOverwrite(dir, files); err != nil {
			return err
		}
	}
	for i, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.path))
		if err := writeScaffoldFile(path, rendered[i], f.mode); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "created", path)
	}
	fmt.Fprintf(e.stdout, "\nNext:\n\n%s", nextSteps(dir, *lang, data))
	return nil
}

// scaffoldPlan lists the files of the variant the flags choose, and completes data.
func scaffoldPlan(fs *flag.FlagSet, lang, script string, data *scaffoldData) ([]scaffoldFile, error) {
	files := []scaffoldFile{
		{"configs/experiment.yaml.tmpl", "configs/" + config.ExperimentFile, 0o644},
		{"configs/base.yaml.tmpl", "configs/" + config.BaseFile, 0o644},
		{"configs/trials.yaml.tmpl", "configs/" + config.TrialsFile, 0o644},
		{"configs/settings.schema.json.tmpl", "configs/" + config.SchemaFile, 0o644},
	}
	switch lang {
	case "go":
		if script != "python" {
			return nil, usageError(fs, "-script goes with -lang command")
		}
		return append(files,
			scaffoldFile{"go/main.go.tmpl", "main.go", 0o644},
			scaffoldFile{"go/README.md.tmpl", "README.md", 0o644}), nil
	case "command":
		switch script {
		case "python":
			data.Script = "train.py"
			data.RunCommand = `expman run -config configs -- python3 "$PWD/train.py"`
		case "sh":
			data.Script = "train.sh"
			data.RunCommand = `expman run -config configs -- sh "$PWD/train.sh" {learning_rate} {epochs} {momentum}`
		default:
			return nil, usageError(fs, "-script must be python or sh, not %q", script)
		}
		return append(files,
			scaffoldFile{"command/" + data.Script + ".tmpl", data.Script, 0o755},
			scaffoldFile{"command/README.md.tmpl", "README.md", 0o644}), nil
	}
	return nil, usageError(fs, "-lang must be go or command, not %q", lang)
}

// checkExperimentName applies the config layer's rule for names, which become folders.
func checkExperimentName(name string) error {
	if !namePattern.MatchString(name) || name == "." || name == ".." {
		return fmt.Errorf("experiment name %q is not a valid folder name; want letters, digits, _ - and . only", name)
	}
	return nil
}

// renderScaffold renders every file before anything is written, so a broken template
// writes nothing.
func renderScaffold(files []scaffoldFile, data scaffoldData) ([][]byte, error) {
	out := make([][]byte, len(files))
	for i, f := range files {
		text, err := scaffold.ReadFile("scaffold/" + f.template)
		if err != nil {
			return nil, err
		}
		t, err := template.New(f.template).Option("missingkey=error").Parse(string(text))
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		if err := t.Execute(&b, data); err != nil {
			return nil, err
		}
		out[i] = b.Bytes()
	}
	return out, nil
}

// refuseOverwrite names every file that exists already.
func refuseOverwrite(dir string, files []scaffoldFile) error {
	var existing []string
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.path))
		if _, err := os.Lstat(path); err == nil {
			existing = append(existing, path)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	switch len(existing) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("expman init: %s already exists; pass -force to overwrite it", existing[0])
	}
	return fmt.Errorf("expman init: %d files already exist; pass -force to overwrite them:\n\t%s", len(existing), strings.Join(existing, "\n\t"))
}

func writeScaffoldFile(path string, content []byte, mode fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := runtime.WriteFile(path, content); err != nil {
		return err
	}
	if mode&0o111 != 0 {
		return os.Chmod(path, mode)
	}
	return nil
}

// nextSteps tells the user what to type, depending on whether DIR is inside a Go module
// that already requires expman.
func nextSteps(dir, lang string, data scaffoldData) string {
	var b strings.Builder
	if dir != "." {
		fmt.Fprintf(&b, "\tcd %s\n", dir)
	}
	if lang == "command" {
		fmt.Fprintf(&b, "\t%s\n", data.RunCommand)
		return b.String()
	}
	switch gomod := enclosingGoMod(dir); {
	case gomod == "":
		fmt.Fprintf(&b, "\tgo mod init example.com/%s\n", data.Name)
		fallthrough
	case !hasExpmanTool(gomod):
		fmt.Fprintf(&b, "\tgo get -tool %s/cmd/expman\n", modulePath)
	}
	b.WriteString("\tgo generate && go run .\n")
	return b.String()
}

// enclosingGoMod returns the go.mod of the module DIR would belong to, or "".
func enclosingGoMod(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		path := filepath.Join(abs, "go.mod")
		if _, err := os.Stat(path); err == nil {
			return path
		}
		parent := filepath.Dir(abs)
		if parent == abs {
			return ""
		}
		abs = parent
	}
}

// hasExpmanTool reports whether go.mod declares the expman command as a tool (or is
// expman's own). The tool directive is what keeps the generator's dependencies in go.mod
// and go.sum through go mod tidy, so that the go:generate line keeps working.
func hasExpmanTool(gomod string) bool {
	data, err := os.ReadFile(gomod)
	if err != nil {
		return false
	}
	return bytes.Contains(data, []byte(modulePath+"/cmd/expman")) || bytes.HasPrefix(data, []byte("module "+modulePath+"\n"))
}

// parseOperands parses flags and exactly len(names) operands, which may come before,
// between or after the flags.
func parseOperands(fs *flag.FlagSet, args []string, names ...string) ([]string, error) {
	var operands []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			operands = append(operands, rest...)
			break
		}
		operands = append(operands, rest[0])
		args = rest[1:]
	}
	switch {
	case len(operands) < len(names):
		missing := names[len(operands):]
		return nil, usageError(fs, "%s %s required", strings.Join(missing, " and "), plural(len(missing), "is", "are"))
	case len(operands) > len(names):
		return nil, usageError(fs, "unexpected argument %q", operands[len(names)])
	}
	return operands, nil
}
