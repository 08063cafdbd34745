package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/expman-dev/expman/schema/config"
)

const completionExamples = `	source <(expman completion bash)                  # in ~/.bashrc
	expman completion bash > ~/.local/share/bash-completion/completions/expman
	source <(expman completion zsh)                   # in ~/.zshrc, after compinit
	expman completion zsh > "${fpath[1]}/_expman"
`

// runCompletion prints a completion script for bash or zsh. The scripts are built from the
// commands' own flag sets, so they stay in step with the commands. "expman completion
// trials DIR" lists DIR's trials, for the scripts to complete -trial and diff's operands.
func runCompletion(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "completion", "bash|zsh", completionExamples)
	operands, err := parseCompletionArgs(fs, args)
	if err != nil {
		return err
	}
	if operands[0] == "trials" {
		if len(operands) == 2 {
			printTrialNames(e.stdout, operands[1])
		}
		return nil
	}
	cmds := describeCommands(ctx, e)
	switch operands[0] {
	case "bash":
		_, err = io.WriteString(e.stdout, bashCompletion(cmds))
	case "zsh":
		_, err = io.WriteString(e.stdout, zshCompletion(cmds))
	default:
		return usageError(fs, "unknown shell %q; want bash or zsh", operands[0])
	}
	return err
}

// parseCompletionArgs returns the operands: a shell, or "trials DIR".
func parseCompletionArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, errUsage
	}
	switch n := fs.NArg(); {
	case n == 0:
		return nil, usageError(fs, "a shell is required: bash or zsh")
	case n > 2 || n == 2 && fs.Arg(0) != "trials":
		return nil, usageError(fs, "unexpected argument %q", fs.Arg(n-1))
	}
	return fs.Args(), nil
}

// printTrialNames lists the trials of a config folder, one a line, and nothing when it
// does not load: a completion has no one to tell.
func printTrialNames(w io.Writer, dir string) {
	cfg, err := config.Load(os.DirFS(dir), config.Options{})
	if err != nil {
		return
	}
	for _, t := range cfg.Trials {
		fmt.Fprintln(w, t.Name)
	}
}

// commandInfo is what a completion script knows of a command.
type commandInfo struct {
	name, summary string
	flags         []flagInfo
	operands      operandKind
}

// flagInfo is one flag of a command.
type flagInfo struct {
	name    string
	usage   string
	value   valueKind
	choices []string // for valueChoice
}

type valueKind int

const (
	valueNone   valueKind = iota // a boolean flag
	valueAny                     // a value with nothing to offer
	valueDir                     // a directory
	valueFile                    // a file
	valueChoice                  // one of choices
	valueTrial                   // a trial of the -config folder
)

type operandKind int

const (
	operandFiles operandKind = iota
	operandNone
	operandDirs
	operandTrials
	operandShells
)

// commandOperands says what the commands take after their flags; commands not listed take
// files (or anything, such as expman run's child command).
var commandOperands = map[string]operandKind{
	"init": operandDirs, "report": operandDirs, "status": operandDirs, "diff": operandTrials,
	"completion": operandShells, "gen": operandNone, "validate": operandNone, "schema": operandNone,
	"plan": operandNone, "explain": operandNone, "version": operandNone,
}

// describeCommands asks every command for its usage (-h) and reads its flags from it.
func describeCommands(ctx context.Context, e *env) []commandInfo {
	var out []commandInfo
	for _, c := range commands() {
		var usage bytes.Buffer
		quiet := &env{stdout: io.Discard, stderr: &usage, getenv: e.getenv}
		_ = c.run(ctx, quiet, []string{"-h"})
		info := commandInfo{name: c.name, summary: c.summary, flags: parseFlagUsage(usage.String()), operands: commandOperands[c.name]}
		out = append(out, info)
	}
	return out
}

var (
	flagLine    = regexp.MustCompile(`^  -(\S+)(?: (\S+))?(?:\t(.*))?$`)
	parenthesis = regexp.MustCompile(`\([^()]*\)`)
	listSep     = regexp.MustCompile(`,\s*|\s+or\s+`)
	choiceWord  = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
)

// parseFlagUsage reads the flags from flag.PrintDefaults output: "  -name ARG" lines, each
// followed by its indented usage.
func parseFlagUsage(usage string) []flagInfo {
	var flags []flagInfo
	for _, line := range strings.Split(usage, "\n") {
		if m := flagLine.FindStringSubmatch(line); m != nil {
			flags = append(flags, flagInfo{name: m[1], usage: m[3], value: valueOf(m[2])})
			continue
		}
		if n := len(flags); n > 0 && strings.HasPrefix(line, "    \t") {
			flags[n-1].usage = strings.TrimSpace(flags[n-1].usage + " " + strings.TrimSpace(line))
		}
	}
	for i := range flags {
		f := &flags[i]
		if f.name == "trial" {
			f.value = valueTrial
		} else if f.value == valueAny {
			if f.choices = choicesOf(f.usage); f.choices != nil {
				f.value = valueChoice
			}
		}
	}
	return flags
}

func valueOf(arg string) valueKind {
	switch {
	case arg == "":
		return valueNone
	case arg == "DIR" || strings.HasSuffix(arg, "_DIR"):
		return valueDir
	case arg == "FILE" || strings.HasSuffix(arg, "_FILE"):
		return valueFile
	}
	return valueAny
}

// choicesOf reads "label: a (...), b or c (...)" usages, such as -format's, into a, b, c.
func choicesOf(usage string) []string {
	_, list, ok := strings.Cut(usage, ": ")
	if !ok {
		return nil
	}
	list = strings.TrimSpace(parenthesis.ReplaceAllString(list, ""))
	var out []string
	for _, item := range listSep.Split(list, -1) {
		if !choiceWord.MatchString(item) {
			return nil
		}
		out = append(out, item)
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

func commandNames(cmds []commandInfo) string {
	names := make([]string, len(cmds))
	for i, c := range cmds {
		names[i] = c.name
	}
	return strings.Join(names, " ")
}

func bashCompletion(cmds []commandInfo) string {
	var b strings.Builder
	b.WriteString(`# bash completion for expman. Generated by "expman completion bash"; load it with
#     source <(expman completion bash)
# or save it as ~/.local/share/bash-completion/completions/expman.

# _expman_trials completes the trials of the folder given to -config.
_expman_trials() {
    local i dir=
    for ((i = 2; i < cword; i++)); do
        if [[ ${words[i]} == -config || ${words[i]} == --config ]]; then
            dir=${words[i+1]}
        fi
    done
    [[ -n $dir ]] || return 0
    local IFS=$'\n'
    COMPREPLY=($(compgen -W "$("${words[0]}" completion trials "$dir" 2>/dev/null)" -- "$cur"))
}

# _expman completes a command line split at spaces only: bash also splits words at = and
# :, which sweep points' names hold (lr_grid/learning_rate=0.1). The replies are trimmed
# back to bash's own current word at the end.
_expman() {
    local -a words
    local cword line
    if [[ -n ${COMP_LINE-} ]]; then
        line=${COMP_LINE:0:COMP_POINT}
        read -ra words <<<"$line"
        [[ -z $line || $line == *[[:space:]] ]] && words+=("")
        cword=$((${#words[@]} - 1))
    else
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi
    local cur=${words[cword]} prev=${words[cword-1]}
    _expman_complete
    local word=${COMP_WORDS[COMP_CWORD]} strip i
    strip=${cur%"$word"}
    if [[ -n $strip && $cur == *"$word" ]]; then
        for i in "${!COMPREPLY[@]}"; do
            COMPREPLY[i]=${COMPREPLY[i]#"$strip"}
        done
    fi
}

_expman_complete() {
    if ((cword == 1)); then
`)
	fmt.Fprintf(&b, "        COMPREPLY=($(compgen -W %s -- \"$cur\"))\n        return\n    fi\n", shellQuote(commandNames(cmds)))
	b.WriteString("    local cmd=${words[1]}\n    case \"$cmd $prev\" in\n")
	for _, c := range cmds {
		for _, f := range c.flags {
			var action string
			switch f.value {
			case valueNone:
				continue
			case valueDir:
				action = `COMPREPLY=($(compgen -d -- "$cur"))`
			case valueFile:
				action = `COMPREPLY=($(compgen -f -- "$cur"))`
			case valueChoice:
				action = fmt.Sprintf(`COMPREPLY=($(compgen -W %s -- "$cur"))`, shellQuote(strings.Join(f.choices, " ")))
			case valueTrial:
				action = "_expman_trials"
			default:
				action = ":"
			}
			fmt.Fprintf(&b, "    %s | %s)\n        %s\n        return\n        ;;\n",
				shellQuote(c.name+" -"+f.name), shellQuote(c.name+" --"+f.name), action)
		}
	}
	b.WriteString("    esac\n    if [[ $cur == -* ]]; then\n        case $cmd in\n")
	for _, c := range cmds {
		var names []string
		for _, f := range c.flags {
			names = append(names, "-"+f.name)
		}
		fmt.Fprintf(&b, "        %s) COMPREPLY=($(compgen -W %s -- \"$cur\")) ;;\n", shellQuote(c.name), shellQuote(strings.Join(names, " ")))
	}
	b.WriteString("        esac\n        return\n    fi\n    case $cmd in\n")
	byKind := map[operandKind][]string{}
	for _, c := range cmds {
		byKind[c.operands] = append(byKind[c.operands], c.name)
	}
	for _, k := range []struct {
		kind   operandKind
		action string
	}{
		{operandDirs, `COMPREPLY=($(compgen -d -- "$cur"))`},
		{operandTrials, "_expman_trials"},
		{operandShells, `COMPREPLY=($(compgen -W "bash zsh" -- "$cur"))`},
		{operandNone, ":"},
	} {
		if names := byKind[k.kind]; len(names) > 0 {
			fmt.Fprintf(&b, "    %s) %s ;;\n", strings.Join(names, " | "), k.action)
		}
	}
	b.WriteString(`    *) COMPREPLY=($(compgen -f -- "$cur")) ;;
    esac
}

complete -o filenames -o bashdefault -F _expman expman
`)
	return b.String()
}

func zshCompletion(cmds []commandInfo) string {
	var b strings.Builder
	b.WriteString(`#compdef expman
# zsh completion for expman. Generated by "expman completion zsh"; load it with
#     source <(expman completion zsh)
# after compinit, or save it as _expman in a folder of $fpath.

# _expman_trials completes the trials of the folder given to -config.
_expman_trials() {
  local i dir
  for ((i = 1; i < CURRENT; i++)); do
    [[ $words[i] == (-|--)config ]] && dir=${words[i+1]}
  done
  [[ -n $dir ]] || return 1
  local -a trials
  trials=(${(f)"$(_call_program trials ${(q)_expman_program} completion trials ${(q)dir} 2>/dev/null)"})
  compadd -a trials
}

_expman() {
  if (( CURRENT == 2 )); then
    local -a commands
    commands=(
`)
	for _, c := range cmds {
		fmt.Fprintf(&b, "      %s\n", shellQuote(c.name+":"+c.summary))
	}
	b.WriteString(`    )
    _describe -t commands 'expman command' commands
    return
  fi
  local cmd=$words[2] _expman_program=$words[1]
  shift words
  (( CURRENT-- ))
  case $cmd in
`)
	for _, c := range cmds {
		fmt.Fprintf(&b, "  %s)\n    _arguments -S", shellQuote(c.name))
		for _, f := range c.flags {
			fmt.Fprintf(&b, " \\\n      %s", shellQuote(zshFlagSpec(f)))
		}
		switch c.operands {
		case operandDirs:
			b.WriteString(` \` + "\n      '*:folder:_files -/'")
		case operandTrials:
			b.WriteString(` \` + "\n      '*:trial:_expman_trials'")
		case operandShells:
			b.WriteString(` \` + "\n      '1:shell:(bash zsh)'")
		case operandFiles:
			b.WriteString(` \` + "\n      '*:file:_files'")
		}
		b.WriteString("\n    ;;\n")
	}
	b.WriteString(`  esac
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _expman "$@"
else
  compdef _expman expman
fi
`)
	return b.String()
}

// zshFlagSpec is one _arguments spec: -name[description]:message:action.
func zshFlagSpec(f flagInfo) string {
	desc := zshEscape(firstClause(f.usage))
	spec := "-" + f.name + "[" + desc + "]"
	if f.name == "set" {
		spec = "*" + spec // repeatable
	}
	switch f.value {
	case valueNone:
		return spec
	case valueDir:
		return spec + ":folder:_files -/"
	case valueFile:
		return spec + ":file:_files"
	case valueChoice:
		return spec + ":" + f.name + ":(" + strings.Join(f.choices, " ") + ")"
	case valueTrial:
		return spec + ":trial:_expman_trials"
	}
	return spec + ":" + f.name + ": "
}

// firstClause shortens a flag's usage for a completion menu.
func firstClause(usage string) string {
	usage = strings.TrimSpace(parenthesis.ReplaceAllString(usage, ""))
	if i := strings.IndexAny(usage, ";:"); i > 0 {
		usage = usage[:i]
	}
	return strings.Join(strings.Fields(usage), " ")
}

// zshEscape protects the characters _arguments gives meaning to in a description.
func zshEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `[`, `\[`, `]`, `\]`, `:`, `\:`)
	return r.Replace(s)
}

// shellQuote quotes s for sh, bash and zsh alike.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
