package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/expman-dev/expman/schema"
)

const validateExamples = `	expman validate -config ./configs
	expman validate -config ./configs -schema ./settings.schema.json -format json
	expman validate -config ./configs -no-go    # configs for expman run: no Go types needed
`

func runValidate(_ context.Context, e *env, args []string) error {
	var cf configFlags
	fs := newFlagSet(e, "validate", "-config DIR [-schema FILE] [-no-go] [-format text|json]", validateExamples)
	cf.register(fs)
	format := fs.String("format", "text", "output `format`: text or json")
	noGo := fs.Bool("no-go", false, "check only the configs, not that expman gen can make Go types of them")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := cf.check(fs); err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return usageError(fs, "-format must be text or json, not %q", *format)
	}
	cfg, err := cf.load()
	if err == nil && !*noGo {
		// What passes here must also generate: the settings schema may use constructs the
		// generator does not support, or values that no Go type holds.
		err = cf.generate("main", "experiment_gen.go")
	}
	if *format == "json" {
		return writeValidateJSON(e, err)
	}
	if err != nil {
		return err
	}
	runs := 0
	for _, t := range cfg.Trials {
		runs += t.Repeat
	}
	fmt.Fprintf(e.stdout, "%s: ok: experiment %q, %d trials, %d runs\n", cf.dir, cfg.Experiment.Name, len(cfg.Trials), runs)
	return nil
}

// jsonError is the machine-readable form of one error.
type jsonError struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Col     int    `json:"col,omitempty"`
	Message string `json:"message"`
}

func writeValidateJSON(e *env, err error) error {
	out := struct {
		Valid  bool        `json:"valid"`
		Errors []jsonError `json:"errors"`
	}{Valid: err == nil, Errors: []jsonError{}}
	var list schema.ErrorList
	switch {
	case err == nil:
	case errors.As(err, &list):
		for _, x := range list {
			out.Errors = append(out.Errors, jsonError{x.Pos.File, x.Pos.Line, x.Pos.Col, x.Msg})
		}
	default:
		return err
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	if werr := enc.Encode(out); werr != nil {
		return werr
	}
	if err != nil {
		return errSilent
	}
	return nil
}

// errSilent fails the command without printing more: the output already said why.
var errSilent = errors.New("")
