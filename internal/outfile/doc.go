// Package outfile is the one way prime writes a file, so that nothing a
// user holds is lost: WriteFile writes a file whole or not at all (a
// regular file through a temporary file and a rename, its mode kept; a
// pipe or a device in place; a link followed), OpenAppend opens a file
// that grows record by record under an exclusive lock, and Distinct
// refuses an output that is the same file as an input or as another
// output. A Writer's Wrap lets tests inject faults.
package outfile
