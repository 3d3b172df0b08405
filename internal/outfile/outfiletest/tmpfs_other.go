//go:build !linux

package outfiletest

import "testing"

// SmallTmpfs skips the test: mounting a small tmpfs is done on Linux only.
func SmallTmpfs(t testing.TB, size int) string {
	t.Helper()
	t.Skip("a small full file system is a tmpfs mount, made on Linux only")
	return ""
}
