package cli

import (
	"bytes"
	"context"
	"fmt"
	"go/token"
	"os"
	"path/filepath"
	"strings"

	"github.com/expman-dev/expman/gen"
	"github.com/expman-dev/expman/runtime"
)

const genExamples = `	//go:generate go run github.com/expman-dev/expman/cmd/expman gen -config ./configs
	expman gen -config ./configs -o experiment_gen.go -pkg main
	expman gen -config ./configs -check    # in CI: fail when experiment_gen.go is stale
`

func runGen(_ context.Context, e *env, args []string) error {
	var cf configFlags
	fs := newFlagSet(e, "gen", "-config DIR [-schema FILE] [-o FILE] [-pkg NAME] [-check]", genExamples)
	cf.register(fs)
	out := fs.String("o", "experiment_gen.go", "output `FILE`")
	pkg := fs.String("pkg", "", "package `NAME` of the generated file (default $GOPACKAGE, else main)")
	check := fs.Bool("check", false, "write nothing; fail if the output file is not what gen would write")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := cf.check(fs); err != nil {
		return err
	}
	if *pkg == "" {
		*pkg = e.getenv("GOPACKAGE")
	}
	if *pkg == "" {
		*pkg = "main"
	}
	if !token.IsIdentifier(*pkg) || *pkg == "_" {
		return usageError(fs, "-pkg %q is not a Go package name; want an identifier such as main", *pkg)
	}
	res, err := cf.generateFiles(*pkg, filepath.Base(*out))
	if err != nil {
		return err
	}
	dir := filepath.Dir(*out)
	if *check {
		return checkFiles(dir, res.Files)
	}
	for _, f := range res.Files {
		if err := writeIfChanged(filepath.Join(dir, f.Name), f.Content); err != nil {
			return err
		}
	}
	return nil
}

// checkFiles reports every generated file whose content on disk differs.
func checkFiles(dir string, files []gen.File) error {
	var stale []string
	for _, f := range files {
		path := filepath.Join(dir, f.Name)
		have, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(have, f.Content) {
			stale = append(stale, path)
		}
	}
	if len(stale) == 0 {
		return nil
	}
	return fmt.Errorf("%s: out of date with its configs; run 'go generate ./...' and commit the result", strings.Join(stale, ", "))
}

// writeIfChanged replaces path atomically, and leaves it alone (mtime and all) when the
// content is already right, so go build caches stay warm.
func writeIfChanged(path string, content []byte) error {
	if have, err := os.ReadFile(path); err == nil && bytes.Equal(have, content) {
		return nil
	}
	return runtime.WriteFile(path, content)
}
