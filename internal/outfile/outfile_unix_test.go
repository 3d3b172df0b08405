//go:build unix

package outfile_test

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/failmodes/prime/internal/outfile"
	"github.com/failmodes/prime/internal/outfile/outfiletest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWriteFileUmask checks that a new file gets 0666 less the umask, as a
// file the shell creates. The umask is the process's: the tests of this
// package do not run in parallel.
func TestWriteFileUmask(t *testing.T) {
	for _, umask := range []int{0o022, 0o077, 0o002, 0o027} {
		t.Run(fmt.Sprintf("%03o", umask), func(t *testing.T) {
			old := syscall.Umask(umask)
			defer syscall.Umask(old)
			path := filepath.Join(t.TempDir(), "new.txt")
			require.NoError(t, outfile.WriteFile(path, content("x")))
			fi, err := os.Stat(path)
			require.NoError(t, err)
			assert.Equal(t, fs.FileMode(0o666&^umask), fi.Mode().Perm())

			rec := filepath.Join(t.TempDir(), "records.jsonl")
			f, err := outfile.OpenAppend(rec)
			require.NoError(t, err)
			require.NoError(t, f.Close())
			fi, err = os.Stat(rec)
			require.NoError(t, err)
			assert.Equal(t, fs.FileMode(0o666&^umask), fi.Mode().Perm())
		})
	}
}

// TestWriteFileSpecial writes into nodes that are not regular files: they
// are written in place and stay what they were.
func TestWriteFileSpecial(t *testing.T) {
	t.Run("named pipe", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "fifo")
		require.NoError(t, syscall.Mkfifo(path, 0o600))
		got := outfiletest.ReadPipe(path)
		require.NoError(t, outfile.WriteFile(path, content("through the pipe\n")))
		assert.Equal(t, "through the pipe\n", <-got)
		fi, err := os.Lstat(path)
		require.NoError(t, err)
		assert.Equal(t, fs.ModeNamedPipe, fi.Mode().Type(), "still a named pipe")

		_, err = outfile.OpenAppend(path)
		assert.ErrorIs(t, err, outfile.ErrNotRegular, "records are read back: not from a pipe")
	})
	t.Run("character device", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("making a device node needs root: run the tests as root to cover a -o /dev/null as root")
		}
		// The null device, made in the test's folder.
		path := filepath.Join(t.TempDir(), "null")
		if err := mknodNull(path); err != nil {
			t.Skipf("mknod: %v", err)
		}
		require.NoError(t, outfile.WriteFile(path, content("into nothing\n")))
		fi, err := os.Lstat(path)
		require.NoError(t, err)
		assert.Equal(t, fs.ModeDevice|fs.ModeCharDevice, fi.Mode().Type(), "still the device")
		assert.Equal(t, []string{"null"}, outfiletest.Names(t, filepath.Dir(path)))
	})
	t.Run("descriptor of a pipe", func(t *testing.T) {
		r, w, err := os.Pipe()
		require.NoError(t, err)
		defer r.Close()
		path := devFD(t, w)
		require.NoError(t, outfile.WriteFile(path, content("via /dev/fd\n")))
		require.NoError(t, w.Close())
		b, err := io.ReadAll(r)
		require.NoError(t, err)
		assert.Equal(t, "via /dev/fd\n", string(b))
	})
	t.Run("descriptor of a file opened for appending", func(t *testing.T) {
		// prime mine -o /dev/stdout >> log: the log keeps its lines.
		log := filepath.Join(t.TempDir(), "log")
		require.NoError(t, os.WriteFile(log, []byte("earlier\n"), 0o644))
		f, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0)
		require.NoError(t, err)
		defer f.Close()
		path := devFD(t, f)
		require.NoError(t, outfile.WriteFile(path, content("report\n")))
		b, err := os.ReadFile(log)
		require.NoError(t, err)
		assert.Equal(t, "earlier\nreport\n", string(b))
		assert.Equal(t, []string{"log"}, outfiletest.Names(t, filepath.Dir(log)))
	})
}

// devFD returns the path of f's descriptor under /dev/fd, or skips the
// test where there is no /dev/fd.
func devFD(t *testing.T, f *os.File) string {
	t.Helper()
	path := fmt.Sprintf("/dev/fd/%d", f.Fd())
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no /dev/fd: %v", err)
	}
	return path
}

// TestWriteFileKeepsOwner checks, as root, that a file written over keeps
// its owner and group.
func TestWriteFileKeepsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("giving a file to another user needs root: run the tests as root to cover it")
	}
	path := filepath.Join(t.TempDir(), "users.txt")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o640))
	require.NoError(t, os.Chown(path, 1234, 5678))
	require.NoError(t, outfile.WriteFile(path, content("new")))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	st := fi.Sys().(*syscall.Stat_t)
	assert.Equal(t, uint32(1234), st.Uid)
	assert.Equal(t, uint32(5678), st.Gid)
	assert.Equal(t, fs.FileMode(0o640), fi.Mode().Perm())
}
