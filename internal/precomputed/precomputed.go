// Package precomputed reads what the precomputed taggers and classifiers
// share: a JSON Lines file keyed by image id, one image per line, and the
// lookup of an image's entry by its id.
package precomputed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/jsonl"
)

// A ParseFunc returns the value of a line that the records parser
// accepted and that has an id, or an error about it (a *jsonl.Error names
// the member at fault).
type ParseFunc[V any] func(r *jsonl.Record) (V, error)

// Load reads the file at path with Read, naming it by its path. Errors
// are prefixed with pkg.
func Load[V any](path, pkg string, parse ParseFunc[V]) (map[string]V, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pkg, err)
	}
	defer f.Close()
	return Read(f, pkg, path, parse)
}

// Read reads a JSON Lines file from r by the rules of prime.RecordReader
// (one reader, one set of rules for every file prime reads) and returns
// the values parse makes of its lines, by their "id". A bad line (not a
// JSON object of the known members' types, no id, refused by parse, or
// an id seen before) is a *prime.LineError, prefixed with pkg: "pkg:
// name:line: field "x": ..."; so is a file without images.
func Read[V any](r io.Reader, pkg, name string, parse ParseFunc[V]) (map[string]V, error) {
	m := make(map[string]V)
	lines := make(map[string]int) // where each id is
	lr := jsonl.NewLineReader(r)
	var p jsonl.Parser
	var rec jsonl.Record
	for {
		line, num, err := lr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: reading %s: %w", pkg, name, err)
		}
		err = p.Parse(line, &rec)
		if err == jsonl.ErrBlank {
			continue
		}
		var v V
		if err == nil && rec.ID.Len() == 0 {
			err = &jsonl.Error{Field: "id", Err: jsonl.ErrMissing}
		}
		if err == nil {
			v, err = parse(&rec)
		}
		id := string(rec.Bytes(rec.ID))
		if first, dup := lines[id]; dup && err == nil {
			err = &jsonl.Error{Field: "id", Err: fmt.Errorf("repeated: %q first appears on line %d", id, first)}
		}
		if err != nil {
			field, cause := jsonl.FieldOf(err)
			return nil, fmt.Errorf("%s: %w", pkg, &prime.LineError{File: name, Line: num, Field: field, Err: cause})
		}
		m[id], lines[id] = v, num
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("%s: %w", pkg, &prime.LineError{File: name, Err: errors.New("no images")})
	}
	return m, nil
}

// Names holds strings once each, so that the values read from a file
// share them.
type Names map[string]string

// Add returns b as a string: the one n holds, or a new one that n then
// holds.
func (n Names) Add(b []byte) string {
	s, ok := n[string(b)]
	if !ok {
		s = string(b)
		n[s] = s
	}
	return s
}

// Sorted returns the strings of n, ascending, in a new slice.
func (n Names) Sorted() []string { return slices.Sorted(maps.Keys(n)) }

// Lookup returns the value m holds for image id. Errors are prefixed with
// pkg and, but for a done context, what (the kind of file, as "precomputed
// tags"): an id m does not hold is an error naming it.
func Lookup[V any](ctx context.Context, m map[string]V, id, pkg, what string) (V, error) {
	var zero V
	if err := ctx.Err(); err != nil {
		return zero, fmt.Errorf("%s: %w", pkg, err)
	}
	v, ok := m[id]
	if !ok {
		return zero, fmt.Errorf("%s: %s: no image %q in the file", pkg, what, id)
	}
	return v, nil
}

// IDs returns the keys of m, ascending, in a new slice.
func IDs[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
