package recordfile

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// A Source is one records file to read: its path ("-" for standard input)
// and the label its folders give it, from a hive-style partition folder
// label=NAME on its path ("" when none).
type Source struct {
	Path  string
	Label string
}

// Sources expands paths into the records files they name, in order: a
// file as itself; a folder as every file below it, in lexical order,
// skipping names that start with "_" or "." (Spark's _SUCCESS, Hadoop's
// .crc files, _temporary folders); a glob pattern (path/filepath.Match's
// syntax: "out/part-*.parquet") as the files and folders it matches, in
// lexical order; "-" as standard input. A file named twice is read once.
// The layouts Spark, DuckDB, Ray and pandas write are folders of part
// files, possibly partitioned into hive-style folders: a folder named
// label=NAME (NAME URL-escaped, as Spark and DuckDB escape it) gives its
// label to the records below it that have none. A path that names nothing,
// a pattern that matches nothing and a folder without files are errors.
func Sources(paths ...string) ([]Source, error) {
	var out []Source
	seen := map[string]bool{}
	add := func(path string) error {
		key := path
		if path != "-" {
			abs, err := filepath.Abs(path)
			if err != nil {
				return err
			}
			key = abs
		}
		if seen[key] {
			return nil
		}
		seen[key] = true
		label, err := partitionLabel(path)
		if err != nil {
			return err
		}
		out = append(out, Source{Path: path, Label: label})
		return nil
	}
	for _, p := range paths {
		if p == "-" {
			if err := add(p); err != nil {
				return nil, err
			}
			continue
		}
		matches := []string{p}
		if _, err := os.Lstat(p); err != nil && strings.ContainsAny(p, `*?[`) {
			m, gerr := filepath.Glob(p)
			if gerr != nil {
				return nil, fmt.Errorf("%s: %w", p, gerr)
			}
			if len(m) == 0 {
				return nil, fmt.Errorf("%s: no file matches", p)
			}
			matches = m
		}
		for _, m := range matches {
			st, err := os.Stat(m)
			if err != nil {
				return nil, err
			}
			if !st.IsDir() {
				if err := add(m); err != nil {
					return nil, err
				}
				continue
			}
			n := len(out)
			err = filepath.WalkDir(m, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if path != m && hidden(d.Name()) {
					if d.IsDir() {
						return filepath.SkipDir
					}
					return nil
				}
				if d.IsDir() {
					return nil
				}
				if d.Type()&fs.ModeSymlink != 0 {
					st, err := os.Stat(path)
					if err != nil {
						return err
					}
					if st.IsDir() {
						return nil // not followed, as WalkDir does not
					}
				}
				return add(path)
			})
			if err != nil {
				return nil, err
			}
			if len(out) == n {
				return nil, fmt.Errorf("%s: no records files in the folder", m)
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no records files given")
	}
	return out, nil
}

// hidden reports whether a file or folder of this name is skipped in a
// folder: Hadoop's rule for files that are not data.
func hidden(name string) bool { return strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".") }

// partitionLabel returns the label of the innermost folder label=NAME on
// path, unescaped, or "" when there is none.
func partitionLabel(path string) (string, error) {
	label := ""
	for _, part := range strings.Split(filepath.ToSlash(filepath.Dir(filepath.Clean(path))), "/") {
		v, ok := strings.CutPrefix(part, "label=")
		if !ok {
			continue
		}
		l, err := url.PathUnescape(v)
		if err != nil || l == "" || l == "__HIVE_DEFAULT_PARTITION__" {
			return "", fmt.Errorf("%s: folder %s names no label", path, part)
		}
		label = l
	}
	return label, nil
}

// ImageDir returns the folder that the relative image paths of a Dataset
// read from srcs are relative to: the folder of the first file ("." for
// standard input). Read leaves the relative image paths of files in that
// folder as they are and rewrites those of files in other folders to lead
// from it.
func ImageDir(srcs []Source) string {
	if len(srcs) == 0 {
		return "."
	}
	return srcs[0].dir()
}

// dir returns the folder of the source's file, "." for standard input.
func (s Source) dir() string {
	if s.Path == "-" {
		return "."
	}
	return filepath.Dir(s.Path)
}

// name returns the source's name for messages: its path, or "stdin".
func (s Source) name() string {
	if s.Path == "-" {
		return "stdin"
	}
	return s.Path
}
