// Command prime finds the failure modes of an image classifier and names
// them in human words.
//
// Usage:
//
//	prime mine [flags] FILE|-   mine a records file (JSON Lines)
//	prime run [flags]           images + ONNX tagger + ONNX classifier -> records -> report
//	prime demo [-o DIR]         the whole pipeline on the embedded demo data
//	prime synth [flags]         a records file with planted failure modes
//
// Exit status: 0 ran, whatever it found; 1 failure modes found with
// -fail-on-modes; 2 bad usage or bad input, or a write that failed; 130
// interrupted (Ctrl-C), with every file left valid: prime run resumes where
// it stopped.
//
// Every file is written through internal/outfile: whole or not at all, its
// mode kept, a pipe or a device written in place, a link followed, and
// never over an input or another output. prime run's records file is
// locked while a run writes it, and what made its records is kept beside
// it in FILE.provenance.json: a resume with other settings is refused.
// prime run's peak memory is at most workers x one model's working memory
// + workers x -max-pixels x 8 bytes + 200 MB (go run
// ./internal/tools/runmem measures it).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/failmodes/prime/internal/outfile"

	// Decoders of the image formats prime.ImageFolder lists beyond the
	// standard library's PNG, JPEG and GIF, for prime run and the HTML
	// report's thumbnails.
	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
)

// Exit statuses.
const (
	exitOK    = 0
	exitModes = 1
	exitBad   = 2
)

// env is what a subcommand may touch of the outside world, so that tests run
// subcommands in-process.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// files writes every output file; tests make its writes fail.
	files outfile.Writer
	// cmd prefixes every message: "prime mine".
	cmd string
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

func commands() []command {
	return []command{
		{"mine", "mine a records file (JSON Lines) for failure modes", cmdMine},
		{"run", "images + ONNX tagger + ONNX classifier -> records -> report", cmdRun},
		{"demo", "run the whole pipeline on the embedded demo data", cmdDemo},
		{"synth", "write a records file with planted failure modes", cmdSynth},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}, os.Args[1:])
	stop()
	os.Exit(code)
}

// run runs the command args names and returns its exit status. Standard
// output is checked: a command whose writes there failed (a full disk
// behind a redirection) exits 2 saying so. Standard error is where that
// would be said, so its own failures cannot be reported.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		usage(e.stderr)
		if len(args) == 0 {
			return exitBad
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		stdout := &checkedWriter{w: e.stdout}
		ce := *e
		ce.stdout, ce.cmd = stdout, "prime "+c.name
		code := c.run(ctx, &ce, args[1:])
		if stdout.err != nil && code != exitBad {
			return ce.fail(fmt.Errorf("writing standard output: %w", stdout.err))
		}
		return code
	}
	fmt.Fprintf(e.stderr, "prime: unknown command %q\n", args[0])
	usage(e.stderr)
	return exitBad
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: prime COMMAND [flags] [args]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-6s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'prime COMMAND -h' for a command's flags.")
}
