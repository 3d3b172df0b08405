package outfiletest

import (
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// SmallTmpfs mounts a tmpfs of size bytes (rounded up to whole pages by the
// system) on a new temporary folder and returns the folder; the mount is
// undone when the test ends. It needs root: elsewhere the test is skipped,
// saying why.
func SmallTmpfs(t testing.TB, size int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("a small full file system needs a tmpfs mount, which needs root: run the tests as root to cover it")
	}
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d", size)); err != nil {
		t.Skipf("mounting a tmpfs on %s: %v: the full-disk case is not covered here", dir, err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, 0); err != nil {
			t.Errorf("unmounting the tmpfs on %s: %v", dir, err)
		}
	})
	return dir
}
