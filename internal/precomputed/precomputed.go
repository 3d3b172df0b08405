// Package precomputed reads what the precomputed taggers and classifiers
// share: a JSON Lines file keyed by image id, one image per line, and the
// lookup of an image's entry by its id.
package precomputed

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"unicode/utf8"
)

// A ParseFunc returns the id and the value of one non-blank line, which is
// valid UTF-8.
type ParseFunc[V any] func(line []byte) (id string, v V, err error)

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

// Read reads a JSON Lines file from r, skipping blank lines, and returns
// the values parse makes of its lines, by id. An error is prefixed with
// pkg and the file's name, and, when a line is at fault (invalid UTF-8,
// parse failed, id repeated), its number: "pkg: name:line: ...". A file
// without images is an error.
func Read[V any](r io.Reader, pkg, name string, parse ParseFunc[V]) (map[string]V, error) {
	m := make(map[string]V)
	br := bufio.NewReaderSize(r, 64<<10)
	for lineNo := 1; ; lineNo++ {
		line, err := br.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("%s: %s: %w", pkg, name, err)
		}
		if len(bytes.TrimSpace(line)) > 0 {
			var (
				id   string
				v    V
				lerr error
			)
			if !utf8.Valid(line) {
				lerr = errors.New("invalid UTF-8")
			} else {
				id, v, lerr = parse(line)
			}
			if lerr == nil {
				if _, dup := m[id]; dup {
					lerr = fmt.Errorf("id %q repeated", id)
				}
			}
			if lerr != nil {
				return nil, fmt.Errorf("%s: %s:%d: %w", pkg, name, lineNo, lerr)
			}
			m[id] = v
		}
		if err == io.EOF {
			break
		}
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("%s: %s: no images", pkg, name)
	}
	return m, nil
}

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
