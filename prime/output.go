package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/failmodes/prime/internal/outfile"
)

// fail prints err as the command's one line about it, and returns the exit
// status of bad usage or bad input. Every error of a command goes through
// it, so that each message has one prefix, the command's.
func (e *env) fail(err error) int {
	e.say("%s", message(err))
	return exitBad
}

// say prints a line of news on standard error, prefixed with the command's
// name.
func (e *env) say(format string, args ...any) {
	fmt.Fprintf(e.stderr, "%s: %s\n", e.cmd, fmt.Sprintf(format, args...))
}

// warn prints a warning on standard error.
func (e *env) warn(format string, args ...any) {
	e.say("warning: "+format, args...)
}

// message is err's text without the "prime: " of the library's errors and
// the "demo: " of the demo's: the command's own prefix stands for them.
// (Those of the plug-ins, "tagger: " and "classifier: ", say which model
// failed, and stay.)
func message(err error) string {
	s := err.Error()
	for {
		t, ok := strings.CutPrefix(s, "prime: ")
		if !ok {
			t, ok = strings.CutPrefix(s, "demo: ")
		}
		if !ok {
			return s
		}
		s = t
	}
}

// count returns "1 image" or "n images": n with the noun's singular or
// plural.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// isStdio reports whether path stands for standard input or output.
func isStdio(path string) bool { return path == "" || path == "-" }

// writeOutput calls write with standard output when path is "" or "-",
// and otherwise writes the file at path through outfile: whole or not at
// all, with its mode kept, a special file written in place.
func (e *env) writeOutput(path string, write func(io.Writer) error) error {
	if isStdio(path) {
		out := &checkedWriter{w: e.stdout}
		w := bufio.NewWriterSize(out, 1<<16)
		err := write(w)
		if err == nil {
			err = w.Flush()
		}
		if out.err != nil {
			return fmt.Errorf("writing standard output: %w", out.err)
		}
		return err
	}
	return e.files.WriteFile(path, write)
}

// outputUse is the output -o path, or standard output when path is "" or
// "-", for outfile.Distinct: a shell redirection onto an input is refused
// too.
func (e *env) outputUse(path string) outfile.Use {
	if !isStdio(path) {
		return outfile.Use{Name: "-o", Path: path, Output: true}
	}
	u := outfile.Use{Name: "standard output", Output: true}
	if f, ok := e.stdout.(*checkedWriter); ok {
		if file, ok := f.w.(*os.File); ok {
			u.File = file
		}
	}
	return u
}

// checkedWriter remembers the first error of the writes to w, and fails
// every write after it: the command's writes to standard output are
// checked once, at the end (see run). It adds the bytes written to n:
// prime run's records file keeps where its last whole record ends.
type checkedWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}

// parseCommand parses args with fs, flags and operands in any order (prime
// mine FILE -min-size 5, as most commands users know accept; "--" ends the
// flags), the flag package printing its message on a bad flag. It returns
// the operands, and the exit status when the command is to end here: 0 for
// -h, 2 for a bad flag, -1 otherwise.
func parseCommand(fs *flag.FlagSet, args []string) (operands []string, code int) {
	for {
		switch err := fs.Parse(args); {
		case errors.Is(err, flag.ErrHelp):
			return nil, exitOK
		case err != nil:
			return nil, exitBad
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return operands, -1
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(operands, rest...), -1
		}
		operands = append(operands, rest[0])
		args = rest[1:]
	}
}

// parseFlags parses args for a command that takes flags only, as
// parseCommand does. An operand is reported on e, followed by where, which
// says what gives the input the operand may have been meant for, and ends
// the command with status 2. It returns -1 when the command is to go on.
func (e *env) parseFlags(fs *flag.FlagSet, args []string, where string) int {
	operands, code := parseCommand(fs, args)
	if code < 0 && len(operands) != 0 {
		e.say("unexpected argument %q%s", operands[0], where)
		return exitBad
	}
	return code
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	if c, ok := w.(*checkedWriter); ok {
		w = c.w
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressPrinter returns a progress callback that rewrites one status line
// on w when w is a terminal, and prints nothing otherwise (the work is
// seconds long; prime run prints its own progress).
func progressPrinter(w io.Writer, what string) func(done, total int) {
	if !isTerminal(w) {
		return nil
	}
	start := time.Now()
	last := time.Time{}
	return func(done, total int) {
		t := time.Now()
		if done < total && t.Sub(last) < 100*time.Millisecond {
			return
		}
		last = t
		fmt.Fprintf(w, "\r%d/%d %s, %s", done, total, what, t.Sub(start).Round(time.Millisecond))
		if done == total {
			fmt.Fprintln(w)
		}
	}
}
