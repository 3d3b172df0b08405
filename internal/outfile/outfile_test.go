package outfile_test

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/failmodes/prime/internal/outfile"
	"github.com/failmodes/prime/internal/outfile/outfiletest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// content writes s.
func content(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}

func TestWriteFileRegular(t *testing.T) {
	for _, tc := range []struct {
		name string
		old  *string // existing content, nil for none
		mode fs.FileMode
	}{
		{"new file", nil, 0},
		{"replaces a file", ptr("old contents, longer than the new\n"), 0o644},
		{"keeps mode 600", ptr("secret\n"), 0o600},
		{"keeps mode 640", ptr("x"), 0o640},
		{"empty file", ptr(""), 0o644},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.txt")
			if tc.old != nil {
				require.NoError(t, os.WriteFile(path, []byte(*tc.old), tc.mode))
				require.NoError(t, os.Chmod(path, tc.mode))
			}
			require.NoError(t, outfile.WriteFile(path, content("new\n")))
			got, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, "new\n", string(got))
			assert.Equal(t, []string{"out.txt"}, outfiletest.Names(t, dir), "no temporary file left")
			if tc.old != nil && runtime.GOOS != "windows" {
				fi, err := os.Stat(path)
				require.NoError(t, err)
				assert.Equal(t, tc.mode, fi.Mode().Perm(), "the file keeps its mode")
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestWriteFileFailures makes every step fail: the writer after N bytes for
// every N across the buffer's flushes, and fill itself. The old file stays
// whole and no temporary file is left.
func TestWriteFileFailures(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 10_000) // 160 kB: several buffer flushes
	for _, n := range []int64{0, 1, 4095, 65535, 65536, 65537, 100_000, int64(len(big)) - 1} {
		t.Run(fmt.Sprintf("fails after %d bytes", n), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.txt")
			require.NoError(t, os.WriteFile(path, []byte("old\n"), 0o644))
			w := outfile.Writer{Wrap: outfiletest.FailAfter(n)}
			err := w.WriteFile(path, content(big))
			require.ErrorIs(t, err, outfiletest.ErrInjected)
			assert.Equal(t, "write "+path+": "+outfiletest.ErrInjected.Error(), err.Error(), "the message names the file, not the temporary one")
			got, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, "old\n", string(got))
			assert.Equal(t, []string{"out.txt"}, outfiletest.Names(t, dir))
		})
	}
	t.Run("whole file within the limit", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "out.txt")
		w := outfile.Writer{Wrap: outfiletest.FailAfter(int64(len(big)))}
		require.NoError(t, w.WriteFile(path, content(big)))
	})
	t.Run("fill fails", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "out.txt")
		require.NoError(t, os.WriteFile(path, []byte("old\n"), 0o644))
		boom := errors.New("boom")
		err := outfile.WriteFile(path, func(w io.Writer) error {
			io.WriteString(w, "partial")
			return boom
		})
		require.ErrorIs(t, err, boom)
		got, _ := os.ReadFile(path)
		assert.Equal(t, "old\n", string(got))
		assert.Equal(t, []string{"out.txt"}, outfiletest.Names(t, dir))
	})
	t.Run("folder missing", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "missing", "out.txt")
		err := outfile.WriteFile(path, content("x"))
		require.ErrorIs(t, err, fs.ErrNotExist)
		assert.Contains(t, err.Error(), path)
	})
	t.Run("a directory", func(t *testing.T) {
		dir := t.TempDir()
		err := outfile.WriteFile(dir, content("x"))
		require.ErrorContains(t, err, "is a directory")
	})
	t.Run("empty name", func(t *testing.T) {
		require.Error(t, outfile.WriteFile("", content("x")))
	})
}

// TestWriteFileFullDisk writes onto a real file system that runs full.
func TestWriteFileFullDisk(t *testing.T) {
	dir := outfiletest.SmallTmpfs(t, 64<<10)
	path := filepath.Join(dir, "out.txt")
	require.NoError(t, os.WriteFile(path, []byte("old\n"), 0o600))
	err := outfile.WriteFile(path, content(strings.Repeat("x", 1<<20)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no space left on device")
	assert.True(t, strings.HasPrefix(err.Error(), "write "+path+": "), err.Error())
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "old\n", string(got))
	assert.Equal(t, []string{"out.txt"}, outfiletest.Names(t, dir))
	// Once there is room, the same call succeeds.
	require.NoError(t, outfile.WriteFile(path, content(strings.Repeat("y", 16<<10))))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o600), fi.Mode().Perm())
}

func TestWriteFileSymlinks(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	for _, tc := range []struct {
		name   string
		layout func(t *testing.T, dir string) (path, target string)
	}{
		{"link to a file", func(t *testing.T, dir string) (string, string) {
			target := filepath.Join(dir, "real.txt")
			require.NoError(t, os.WriteFile(target, []byte("old"), 0o600))
			require.NoError(t, os.Symlink("real.txt", filepath.Join(dir, "link.txt")))
			return filepath.Join(dir, "link.txt"), target
		}},
		{"link to a link", func(t *testing.T, dir string) (string, string) {
			target := filepath.Join(dir, "real.txt")
			require.NoError(t, os.WriteFile(target, []byte("old"), 0o600))
			require.NoError(t, os.Symlink(target, filepath.Join(dir, "l1")))
			require.NoError(t, os.Symlink("l1", filepath.Join(dir, "l2")))
			return filepath.Join(dir, "l2"), target
		}},
		{"relative link inside a linked folder", func(t *testing.T, dir string) (string, string) {
			require.NoError(t, os.MkdirAll(filepath.Join(dir, "a", "b"), 0o755))
			target := filepath.Join(dir, "a", "real.txt")
			require.NoError(t, os.WriteFile(target, []byte("old"), 0o600))
			require.NoError(t, os.Symlink("../real.txt", filepath.Join(dir, "a", "b", "link")))
			require.NoError(t, os.Symlink(filepath.Join(dir, "a", "b"), filepath.Join(dir, "alias")))
			return filepath.Join(dir, "alias", "link"), target
		}},
		{"dangling link", func(t *testing.T, dir string) (string, string) {
			require.NoError(t, os.Symlink("new.txt", filepath.Join(dir, "link")))
			return filepath.Join(dir, "link"), filepath.Join(dir, "new.txt")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path, target := tc.layout(t, dir)
			before, _ := os.Stat(target)
			require.NoError(t, outfile.WriteFile(path, content("new")))
			fi, err := os.Lstat(path)
			require.NoError(t, err)
			assert.NotZero(t, fi.Mode()&fs.ModeSymlink, "the link stays a link")
			got, err := os.ReadFile(target)
			require.NoError(t, err)
			assert.Equal(t, "new", string(got))
			if before != nil {
				after, err := os.Stat(target)
				require.NoError(t, err)
				assert.Equal(t, before.Mode(), after.Mode(), "the target keeps its mode")
			}
		})
	}
	t.Run("loop", func(t *testing.T) {
		dir := t.TempDir()
		require.NoError(t, os.Symlink("b", filepath.Join(dir, "a")))
		require.NoError(t, os.Symlink("a", filepath.Join(dir, "b")))
		require.Error(t, outfile.WriteFile(filepath.Join(dir, "a"), content("x")))
	})
}

func TestDistinct(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	other := filepath.Join(dir, "other.jsonl")
	require.NoError(t, os.WriteFile(in, []byte("x\n"), 0o644))
	require.NoError(t, os.WriteFile(other, []byte("y\n"), 0o644))
	hard := filepath.Join(dir, "hard.jsonl")
	require.NoError(t, os.Link(in, hard))
	sub := filepath.Join(dir, "sub")
	require.NoError(t, os.Mkdir(sub, 0o755))
	dotted := filepath.Join(sub, "..", "in.jsonl")
	missing := filepath.Join(dir, "new.txt")
	var link string
	if runtime.GOOS != "windows" {
		link = filepath.Join(dir, "link.jsonl")
		require.NoError(t, os.Symlink("in.jsonl", link))
	}

	for _, tc := range []struct {
		name string
		uses []outfile.Use
		want string // "" for no error
	}{
		{"different files", []outfile.Use{{Name: "FILE", Path: in}, {Name: "-o", Path: other, Output: true}}, ""},
		{"same path", []outfile.Use{{Name: "FILE", Path: in}, {Name: "-o", Path: in, Output: true}},
			"-o " + in + " is the same file as FILE " + in + ": an output never replaces an input"},
		{"output first", []outfile.Use{{Name: "-o", Path: in, Output: true}, {Name: "FILE", Path: in}},
			"-o " + in + " is the same file as FILE " + in},
		{"hard link", []outfile.Use{{Name: "FILE", Path: in}, {Name: "-o", Path: hard, Output: true}}, "is the same file as"},
		{"another spelling", []outfile.Use{{Name: "FILE", Path: in}, {Name: "-o", Path: dotted, Output: true}}, "is the same file as"},
		{"two new outputs", []outfile.Use{{Name: "-o", Path: missing, Output: true}, {Name: "-truth", Path: missing, Output: true}},
			"-o " + missing + " and -truth " + missing + " are the same file: give each output a file of its own"},
		{"two inputs may be one", []outfile.Use{{Name: "FILE", Path: in}, {Name: "-validate", Path: in}}, ""},
		{"standard input and output", []outfile.Use{{Name: "FILE", Path: "-"}, {Name: "-o", Path: "-", Output: true}}, ""},
		{"empty", []outfile.Use{{Name: "FILE", Path: in}, {Name: "-o", Path: "", Output: true}}, ""},
		{"missing input", []outfile.Use{{Name: "FILE", Path: missing}, {Name: "-o", Path: other, Output: true}}, ""},
		{"an open file", []outfile.Use{{Name: "FILE", Path: in}, {Name: "standard output", File: openFile(t, in), Output: true}},
			"standard output is the same file as FILE " + in},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := outfile.Distinct(tc.uses...)
			if tc.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tc.want)
		})
	}
	if link != "" {
		t.Run("symbolic link", func(t *testing.T) {
			assert.ErrorContains(t, outfile.Distinct(outfile.Use{Name: "FILE", Path: in}, outfile.Use{Name: "-o", Path: link, Output: true}), "is the same file")
			newLink := filepath.Join(dir, "newlink")
			require.NoError(t, os.Symlink("new.txt", newLink))
			assert.ErrorContains(t, outfile.Distinct(outfile.Use{Name: "-o", Path: newLink, Output: true}, outfile.Use{Name: "-truth", Path: missing, Output: true}), "are the same file")
		})
	}
}

func openFile(t *testing.T, path string) *os.File {
	f, err := os.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

func TestOpenAppend(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "records.jsonl")
	f, err := outfile.OpenAppend(path)
	require.NoError(t, err)
	_, err = f.WriteString("one\n")
	require.NoError(t, err)

	// A second open, as a second run would make, is refused while the
	// first is open, and names who holds the lock.
	_, err = outfile.OpenAppend(path)
	var le *outfile.LockedError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, path, le.Path)
	if runtime.GOOS == "linux" {
		assert.Equal(t, fmt.Sprintf("process %d (this one)", os.Getpid()), le.Holder)
		assert.EqualError(t, err, fmt.Sprintf("%s is locked by process %d (this one)", path, os.Getpid()))
	}
	require.NoError(t, f.Close())

	f, err = outfile.OpenAppend(path)
	require.NoError(t, err, "the lock goes with the close")
	_, err = f.Seek(0, io.SeekStart)
	require.NoError(t, err)
	_, err = f.WriteString("two\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "one\ntwo\n", string(got), "writes append")

	t.Run("a directory", func(t *testing.T) {
		_, err := outfile.OpenAppend(dir)
		require.ErrorIs(t, err, outfile.ErrNotRegular)
	})
}

func ExampleWriteFile() {
	dir, err := os.MkdirTemp("", "outfile-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "report.txt")
	err = outfile.WriteFile(path, func(w io.Writer) error {
		_, err := fmt.Fprintln(w, "2 failure modes")
		return err
	})
	data, _ := os.ReadFile(path)
	fmt.Printf("%v %q\n", err, data)
	// Output: <nil> "2 failure modes\n"
}
