package outfile

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// A Use is one file a command reads or writes.
type Use struct {
	Name   string   // how the user gave it, such as a flag: "-o", "-records"
	Path   string   // the path given; "" and "-" (standard input or output) are left out unless File is set
	File   *os.File // when not nil, an open file standing for Path (standard output), compared by what it is open on
	Output bool     // written, not only read
}

// label is the use as the user wrote it, for messages.
func (u Use) label() string {
	if u.Path == "" || u.Path == "-" {
		return u.Name
	}
	return u.Name + " " + u.Path
}

// Distinct returns an error when an output is the same file as an input
// (an input is never overwritten) or as another output (one would overwrite
// the other), and nil otherwise. Files that exist are compared with
// os.SameFile, after following symbolic links, so that two names of one
// file (a link, a hard link, "./x" and "x") are caught; outputs that do not
// exist yet are compared by their absolute paths. Files that exist but are
// not regular files (a named pipe, /dev/null, a terminal) may be used
// several times.
func Distinct(uses ...Use) error {
	type file struct {
		Use
		abs string      // absolute path of the final target; "" for a File
		fi  fs.FileInfo // nil when missing
	}
	var files []file
	for _, u := range uses {
		f := file{Use: u}
		switch {
		case u.File != nil:
			fi, err := u.File.Stat()
			if err != nil {
				continue
			}
			f.fi = fi
		case u.Path == "" || u.Path == "-":
			continue
		case isDescriptor(u.Path):
			// /dev/stdout and its kind: what the descriptor is open on.
			fi, err := os.Stat(u.Path)
			if err != nil {
				continue
			}
			f.fi = fi
		default:
			target, fi, err := resolve(u.Path)
			if err != nil {
				continue // the open that follows reports it
			}
			if fi == nil {
				// A missing file is created through its folder's real path.
				dir, err := filepath.EvalSymlinks(filepath.Dir(target))
				if err == nil {
					target = filepath.Join(dir, filepath.Base(target))
				}
			}
			if f.abs, err = filepath.Abs(target); err != nil {
				continue
			}
			f.fi = fi
		}
		if f.fi != nil && !f.fi.Mode().IsRegular() {
			continue
		}
		files = append(files, f)
	}
	for i, a := range files {
		for _, b := range files[:i] {
			if !a.Output && !b.Output {
				continue
			}
			var same bool
			switch {
			case a.fi != nil && b.fi != nil:
				same = os.SameFile(a.fi, b.fi)
			case a.fi == nil && b.fi == nil:
				same = a.abs != "" && a.abs == b.abs
			}
			if !same {
				continue
			}
			out, other := a, b
			if !a.Output {
				out, other = b, a
			}
			if !other.Output {
				return fmt.Errorf("%s is the same file as %s: an output never replaces an input", out.label(), other.label())
			}
			return fmt.Errorf("%s and %s are the same file: give each output a file of its own", b.label(), a.label())
		}
	}
	return nil
}
