package cli

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/expman-dev/expman/runtime"
	"github.com/expman-dev/expman/schema"
)

const schemaExamples = `	expman schema                 # writes the three schemas into the current directory
	expman schema -o .vscode/schemas
	then, at the top of trials.yaml:  # yaml-language-server: $schema=.vscode/schemas/trials.schema.json
`

func runSchema(_ context.Context, e *env, args []string) error {
	fset := newFlagSet(e, "schema", "[-o DIR]", schemaExamples)
	dir := fset.String("o", ".", "`DIR` to write experiment.schema.json, base.schema.json and trials.schema.json into")
	if err := parse(fset, args); err != nil {
		return err
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	return fs.WalkDir(schema.FileSchemas(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(schema.FileSchemas(), name)
		if err != nil {
			return err
		}
		path := filepath.Join(*dir, name)
		if err := runtime.WriteFile(path, data); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, path)
		return nil
	})
}
