//go:build tools

// This file pins the programs that this repository's go:generate lines run, so that their
// versions are the ones in go.mod. Users pin the generator in their own module the same way
// (or, with Go 1.24 and later, with a tool directive: go get -tool github.com/expman-dev/expman/cmd/expman).
package tools

import (
	_ "github.com/expman-dev/expman/cmd/expman"
	_ "github.com/invopop/jsonschema"
)
