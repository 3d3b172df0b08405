package onnxrun

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Names returns the names a plug-in's options give: a copy of list,
// checked by CheckNames, or when list is nil the names of file read by
// LoadNames, or nil when file is "" too. from says where they came from,
// for messages: kind ("vocabulary", "labels") or "kind file FILE". Errors
// start with prefix; what names one entry ("tag", "label").
func Names(list []string, file, prefix, what, kind string) (names []string, from string, err error) {
	switch {
	case list != nil:
		return slices.Clone(list), kind, CheckNames(list, prefix, what)
	case file != "":
		names, err = LoadNames(file, prefix, what)
		return names, kind + " file " + file, err
	}
	return nil, kind, nil
}

// CheckNames checks names given in memory by the rules of ReadNames: at
// least one, none empty or white space, none repeated.
func CheckNames(names []string, prefix, what string) error {
	if len(names) == 0 {
		return fmt.Errorf("%s: no %ss", prefix, what)
	}
	seen := make(map[string]bool, len(names))
	for i, s := range names {
		switch {
		case strings.TrimSpace(s) == "":
			return fmt.Errorf("%s: %s %d is empty", prefix, what, i)
		case seen[s]:
			return fmt.Errorf("%s: %s %q repeated", prefix, what, s)
		}
		seen[s] = true
	}
	return nil
}

// LoadNames reads the file at path with ReadNames; errors name the file.
func LoadNames(path, prefix, what string) ([]string, error) {
	return load(path, prefix, func(r io.Reader) ([]string, error) { return ReadNames(r, prefix, what, path) })
}

// LoadThresholds reads the file at path with ReadThresholds; errors name
// the file.
func LoadThresholds(path, prefix string) ([]float32, error) {
	return load(path, prefix, func(r io.Reader) ([]float32, error) { return ReadThresholds(r, prefix, path) })
}

// load calls read with the file at path open.
func load[T any](path, prefix string, read func(io.Reader) (T, error)) (T, error) {
	f, err := os.Open(path)
	if err != nil {
		var zero T
		return zero, fmt.Errorf("%s: %w", prefix, err)
	}
	defer f.Close()
	return read(f)
}

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
