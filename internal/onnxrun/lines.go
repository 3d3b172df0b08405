package onnxrun

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Names returns the names a plug-in's options give: a copy of list,
// checked by checkNames, or when list is nil the names of file read by
// LoadNames, or nil when file is "" too. from says where they came from,
// for messages: kind ("vocabulary", "labels") or "kind file FILE". Errors
// start with prefix; what names one entry ("tag", "label").
func Names(list []string, file, prefix, what, kind string) (names []string, from string, err error) {
	switch {
	case list != nil:
		return slices.Clone(list), kind, checkNames(list, prefix, what)
	case file != "":
		names, err = LoadNames(file, prefix, what)
		return names, kind + " file " + file, err
	}
	return nil, kind, nil
}

// checkNames checks names given in memory by the rules of ReadNames: at
// least one, none empty or white space, none repeated.
func checkNames(names []string, prefix, what string) error {
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
// Surrounding white space is trimmed, a final newline is optional, and a
// repeated name is an error. Errors start with prefix and name the file
// (when file is not "") and the line.
func ReadNames(r io.Reader, prefix, what, file string) ([]string, error) {
	var names []string
	seen := make(map[string]int)
	err := eachLine(r, prefix, file, what+"s", func(line int, s string) error {
		if first, ok := seen[s]; ok {
			return fmt.Errorf("%s %q repeats line %d", what, s, first)
		}
		seen[s] = line
		names = append(names, s)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return names, nil
}

// ReadThresholds reads one number in [0, 1] per line.
func ReadThresholds(r io.Reader, prefix, file string) ([]float32, error) {
	var ts []float32
	err := eachLine(r, prefix, file, "thresholds", func(_ int, s string) error {
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
		return nil, err
	}
	return ts, nil
}

// eachLine calls fn with every line of r, trimmed, and its number. Blank
// lines at the end (of a file that ends in a newline) are skipped; a blank
// line before another, and a file of no line, "no " + plural, are errors.
// Errors start with prefix and name the file (when not "") and the line.
func eachLine(r io.Reader, prefix, file, plural string, fn func(line int, s string) error) error {
	at := func(line int, err error) error {
		switch {
		case line > 0 && file == "":
			return fmt.Errorf("%s: line %d: %w", prefix, line, err)
		case line > 0:
			return fmt.Errorf("%s: %s:%d: %w", prefix, file, line, err)
		case file == "":
			return fmt.Errorf("%s: %w", prefix, err)
		}
		return fmt.Errorf("%s: %s: %w", prefix, file, err)
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	line, blank, kept := 0, 0, 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		switch {
		case s == "":
			blank = cmp.Or(blank, line) // an error only if a line follows
			continue
		case blank != 0:
			return at(blank, errors.New("blank line"))
		}
		if err := fn(line, s); err != nil {
			return at(line, err)
		}
		kept++
	}
	if err := sc.Err(); err != nil {
		return at(0, err)
	}
	if kept == 0 {
		return at(0, errors.New("no "+plural))
	}
	return nil
}
