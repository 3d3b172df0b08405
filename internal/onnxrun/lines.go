package onnxrun

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ReadNames reads one name per line (a vocabulary, a labels file).
// Surrounding white space is trimmed, a final newline is optional, and an
// empty or repeated name is an error. Errors start with prefix and name
// the file (when file is not "") and the line.
func ReadNames(r io.Reader, prefix, what, file string) ([]string, error) {
	var names []string
	seen := make(map[string]int)
	err := eachLine(r, func(line int, s string) error {
		s = strings.TrimSpace(s)
		if s == "" {
			return fmt.Errorf("empty %s", what)
		}
		if first, ok := seen[s]; ok {
			return fmt.Errorf("%s %q repeats line %d", what, s, first)
		}
		seen[s] = line
		names = append(names, s)
		return nil
	})
	if err != nil {
		return nil, lineError(prefix, file, err)
	}
	if len(names) == 0 {
		return nil, lineError(prefix, file, fmt.Errorf("no %ss", what))
	}
	return names, nil
}

// ReadThresholds reads one number in [0, 1] per line.
func ReadThresholds(r io.Reader, prefix, file string) ([]float32, error) {
	var ts []float32
	err := eachLine(r, func(_ int, s string) error {
		s = strings.TrimSpace(s)
		v, err := strconv.ParseFloat(s, 32)
		if err != nil {
			return fmt.Errorf("threshold %q is not a number", s)
		}
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("threshold %s outside [0, 1]", s)
		}
		ts = append(ts, float32(v))
		return nil
	})
	if err != nil {
		return nil, lineError(prefix, file, err)
	}
	if len(ts) == 0 {
		return nil, lineError(prefix, file, fmt.Errorf("no thresholds"))
	}
	return ts, nil
}

type atLine struct {
	line int
	err  error
}

func (e *atLine) Error() string { return fmt.Sprintf("line %d: %v", e.line, e.err) }

func lineError(prefix, file string, err error) error {
	if a, ok := err.(*atLine); ok {
		if file != "" {
			return fmt.Errorf("%s: %s:%d: %w", prefix, file, a.line, a.err)
		}
		return fmt.Errorf("%s: line %d: %w", prefix, a.line, a.err)
	}
	if file != "" {
		return fmt.Errorf("%s: %s: %w", prefix, file, err)
	}
	return fmt.Errorf("%s: %w", prefix, err)
}

// eachLine calls fn for every line of r but a last empty one (the end of
// a file that ends in a newline).
func eachLine(r io.Reader, fn func(line int, s string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	line := 0
	var pendingEmpty int // a blank line is an error only if a line follows it
	for sc.Scan() {
		line++
		s := sc.Text()
		if strings.TrimSpace(s) == "" {
			if pendingEmpty == 0 {
				pendingEmpty = line
			}
			continue
		}
		if pendingEmpty != 0 {
			return &atLine{pendingEmpty, fmt.Errorf("blank line")}
		}
		if err := fn(line, s); err != nil {
			return &atLine{line, err}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return nil
}
