// Package cli is the callscope command line: one binary with subcommands.
//
// Every setting is a flag. A flag not given on the command line is taken
// from the environment variable CALLSCOPE_<FLAG> (upper case, dashes as
// underscores), then from the TOML file named by --config or
// CALLSCOPE_CONFIG, then from the flag's default. In the file, settings may
// stand at the top level (they apply to every command that has the flag) or
// in a table named after a command ([serve], [import], …), which wins.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/BurntSushi/toml"
)

// command is one subcommand.
type command interface {
	// flags registers the command's flags, bound to fields of the command.
	flags(fs *flag.FlagSet)
	// run carries out the command with its positional arguments.
	run(ctx context.Context, args []string) error
}

type commandInfo struct {
	name     string
	synopsis string // arguments, after the command name
	summary  string // one line for the command list
	new      func() command
}

var commands = []commandInfo{
	{"serve", "[flags]", "run the server: ingest API, queries, metrics", func() command { return &serveCmd{} }},
	{"demo", "[flags]", "serve a fresh workspace fed live by the simulator", func() command { return &demoCmd{} }},
	{"import", "[flags] PATH…", "load exported call logs from files or folders", func() command { return &importCmd{} }},
	{"simulate", "[flags]", "generate realistic call logs to a file or a server", func() command { return &simulateCmd{} }},
	{"query", "[flags] 'KQL'", "run a KQL query against a workspace", func() command { return &queryCmd{} }},
	{"call", "[flags] CALL_ID", "show one call: participants, streams, surveys and its issues", func() command { return &callCmd{} }},
	{"sql", "[flags] 'QUERY'", "run read-only SQL against a workspace", func() command { return &sqlCmd{} }},
	{"workspace", "create|list|show|retention|delete [NAME …] [flags]", "manage workspaces and their tables' retention", func() command { return &workspaceCmd{} }},
	{"resource", "register|list|delete [RESOURCE_ID] [flags]", "register the ACS resources whose logs come in", func() command { return &resourceCmd{} }},
	{"settings", "put|list|delete --resource ID --name NAME [flags]", "manage diagnostic settings: which categories go to which workspace", func() command { return &settingsCmd{} }},
	{"key", "create|list|revoke [KEY_ID] [flags]", "manage API keys (ingest, read, admin)", func() command { return &keyCmd{} }},
	{"derive", "[--once] [flags]", "run the derived-data jobs: finals, daily metrics, usage, retention", func() command { return &deriveCmd{} }},
	{"bench", "ingest|query [flags]", "measure ingestion against DuckDB's loader, or the Insights queries in KQL against hand-written SQL", func() command { return &benchCmd{} }},
	{"version", "", "print version information", func() command { return &versionCmd{} }},
}

// Main runs the command line and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	info, ok := lookup(args[0])
	if !ok {
		fmt.Fprintf(stderr, "callscope: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	cmd := info.new()
	fs := flag.NewFlagSet("callscope "+info.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "TOML `file` with settings (also CALLSCOPE_CONFIG)")
	cmd.flags(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: callscope %s %s\n\n%s.\n\nFlags:\n", info.name, info.synopsis, capitalise(info.summary))
		fs.PrintDefaults()
	}
	positional, err := parseInterspersed(fs, args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if err := applySettings(fs, info.name, *configPath); err != nil {
		fmt.Fprintf(stderr, "callscope %s: %v\n", info.name, err)
		return 2
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cmd.run(ctx, positional); err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "callscope %s: %v\n", info.name, err)
			fs.Usage()
			return 2
		}
		fmt.Fprintf(stderr, "callscope %s: %v\n", info.name, err)
		return 1
	}
	return 0
}

// parseInterspersed parses flags that may stand before, between or after
// the positional arguments (callscope bench ingest --records 1000), up to a
// "--" after which everything is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// usageError is a mistake in how a command was called.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

func lookup(name string) (commandInfo, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return commandInfo{}, false
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "callscope keeps voice and video call logs: Azure Communication Services tables, KQL and SQL over them.\n\nUsage: callscope COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'callscope COMMAND -h' for the flags of a command.\n")
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// applySettings fills flags not given on the command line from the
// environment, then from the config file.
func applySettings(fs *flag.FlagSet, command, configPath string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })

	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || f.Name == "config" {
			return
		}
		name := EnvName(f.Name)
		if v, ok := os.LookupEnv(name); ok {
			if err := f.Value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("environment variable %s=%q: %v", name, v, err))
			}
			given[f.Name] = true
		}
	})
	if err := errors.Join(errs...); err != nil {
		return err
	}

	if configPath == "" {
		configPath = os.Getenv("CALLSCOPE_CONFIG")
	}
	if configPath == "" {
		return nil
	}
	settings, err := readConfig(configPath, command)
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f := fs.Lookup(k)
		if f == nil || given[k] {
			continue
		}
		if err := f.Value.Set(settings[k]); err != nil {
			return fmt.Errorf("config file %s: %s = %q: %v", configPath, k, settings[k], err)
		}
	}
	return nil
}

// EnvName is the environment variable that sets a flag.
func EnvName(flagName string) string {
	return "CALLSCOPE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// readConfig reads the settings of a TOML file that apply to a command: the
// top-level ones, overridden by those in the command's own table. A key
// that is no flag of any command is an error, so that a misspelt setting
// does not pass unnoticed.
func readConfig(path, command string) (map[string]string, error) {
	var doc map[string]any
	if _, err := toml.DecodeFile(path, &doc); err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	known := allFlagNames()
	out := map[string]string{}
	var section map[string]any
	for k, v := range doc {
		if sub, ok := v.(map[string]any); ok {
			if _, isCommand := lookup(k); !isCommand {
				return nil, fmt.Errorf("config file %s: [%s] is not a command", path, k)
			}
			for sk := range sub {
				if !known[sk] {
					return nil, fmt.Errorf("config file %s: unknown setting %q in [%s]", path, sk, k)
				}
			}
			if k == command {
				section = sub
			}
			continue
		}
		if !known[k] {
			return nil, fmt.Errorf("config file %s: unknown setting %q", path, k)
		}
		out[k] = fmt.Sprint(v)
	}
	for k, v := range section {
		out[k] = fmt.Sprint(v)
	}
	return out, nil
}

func allFlagNames() map[string]bool {
	names := map[string]bool{}
	for _, c := range commands {
		fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
		c.new().flags(fs)
		fs.VisitAll(func(f *flag.Flag) { names[f.Name] = true })
	}
	return names
}
