// Package outfile is the one way prime writes a file, so that nothing a
// user holds is lost:
//
//   - WriteFile writes a whole file: a regular file (or a missing one)
//     through a temporary file beside it, synced and renamed over it only
//     once every write, the flush, the sync and the close succeeded, so a
//     failure leaves the old file as it was and no temporary file behind;
//     anything that is not a regular file (a named pipe, a terminal,
//     /dev/null, /dev/stdout) written in place, never replaced; a symbolic
//     link followed to its target, the link kept. An existing file keeps its
//     permission bits; a new one gets 0666 less the umask, as a file the
//     shell creates.
//   - OpenAppend opens a file that grows record by record (prime run's
//     records), created with the same mode rules, under an exclusive
//     advisory lock: a second process is refused with a LockedError naming
//     the process that holds it.
//   - Distinct refuses, before anything is written, an output that is the
//     same file as an input or as another output, compared with
//     os.SameFile, not by name.
//
// A Writer carries an optional wrapper of every file's writer, through which
// tests inject faults (a writer that fails after N bytes); the zero Writer
// writes plainly.
package outfile
