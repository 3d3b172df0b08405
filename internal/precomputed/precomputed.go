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

// A File is what a precomputed file holds: a value for each image id, and
// every name (tag, label) the values use. It is immutable and safe for
// concurrent use.
type File[V any] struct {
	values map[string]V
	names  []string // ascending
	// pkg and what name the plug-in and the kind of file in errors:
	// "tagger", "precomputed tags".
	pkg, what string
}

// A ParseFunc returns the value of a line that the records parser
// accepted and that has an id, or an error about it (a *jsonl.Error names
// the member at fault); it adds the names the value uses to names.
type ParseFunc[V any] func(r *jsonl.Record, names Names) (V, error)

// Load reads the file at path as Read does, naming it by its path in the
// errors about its lines.
func Load[V any](path, pkg, what string, parse ParseFunc[V]) (*File[V], error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pkg, err)
	}
	defer f.Close()
	return read(f, pkg, path, what, parse)
}

// Read reads a JSON Lines file from r by the rules of prime.RecordReader
// (one reader, one set of rules for every file prime reads) and returns
// the values parse makes of its lines, by their "id". A bad line (not a
// JSON object of the known members' types, no id, refused by parse, or
// an id seen before) is a *prime.LineError, prefixed with pkg: "pkg:
// what:line: field "x": ..."; so is a file without images.
func Read[V any](r io.Reader, pkg, what string, parse ParseFunc[V]) (*File[V], error) {
	return read(r, pkg, what, what, parse)
}

// read is Read, naming the file name in the errors about its lines.
func read[V any](r io.Reader, pkg, name, what string, parse ParseFunc[V]) (*File[V], error) {
	names := Names{}
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
			v, err = parse(&rec, names)
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
	return &File[V]{values: m, names: names.Sorted(), pkg: pkg, what: what}, nil
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

// Lookup returns the value f holds for image id. An id f does not hold
// is an error naming it.
func (f *File[V]) Lookup(ctx context.Context, id string) (V, error) {
	var zero V
	if err := ctx.Err(); err != nil {
		return zero, fmt.Errorf("%s: %w", f.pkg, err)
	}
	v, ok := f.values[id]
	if !ok {
		return zero, fmt.Errorf("%s: %s: no image %q in the file", f.pkg, f.what, id)
	}
	return v, nil
}

// IDs returns the ids of the images f holds, ascending, in a new slice.
func (f *File[V]) IDs() []string { return slices.Sorted(maps.Keys(f.values)) }

// Names returns every name the values of f use, ascending, in a new
// slice.
func (f *File[V]) Names() []string { return slices.Clone(f.names) }

// Len returns the number of images f holds.
func (f *File[V]) Len() int { return len(f.values) }
