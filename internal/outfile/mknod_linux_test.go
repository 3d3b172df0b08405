package outfile_test

import "golang.org/x/sys/unix"

// mknodNull makes a null device node at path.
func mknodNull(path string) error {
	return unix.Mknod(path, unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3)))
}
