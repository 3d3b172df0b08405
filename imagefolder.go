package prime

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// ImageExtensions are the file name extensions ImageFolder takes for
// images, in lower case; other files are ignored. Run decodes PNG, JPEG and
// GIF; a program that reads BMP, TIFF or WebP registers their decoders by
// importing them, as the command prime does:
//
//	import _ "golang.org/x/image/webp"
func ImageExtensions() []string {
	return []string{".bmp", ".gif", ".jpeg", ".jpg", ".png", ".tif", ".tiff", ".webp"}
}

// ImageFolder lists the images of a folder laid out as DIR/<class>/<image>,
// the ImageFolder convention of torchvision and Keras: each folder directly
// under dir is a class, and every image file below it, at any depth, is an
// image of that class. An image's ID is its path relative to dir with
// forward slashes ("fox/n02119022_1.jpg"), its Label the class folder's
// name and its Path the file's path (dir joined with the ID, so absolute
// when dir is); Open is nil, so Run decodes the file.
//
// Images are listed class folder by class folder, in lexical order of the
// folders' names, and within one in fs.WalkDir's order: so with folders
// "cat" and "cat-2", every "cat/..." ID comes before the "cat-2/..." ones,
// though it sorts after them. Files are images by their extension
// (ImageExtensions, any case: BMP, TIFF and WebP files are listed too, and
// Run decodes them once their decoders are registered); other files, files
// directly in dir, and names starting with "." are ignored. ImageFolder reads only
// directory entries, not images: an image that cannot be decoded is found
// by Run.
//
// It returns an error when dir does not exist or is not a directory (one
// that wraps fs.ErrNotExist in the first case), when it has no class
// folders, and when a class folder holds no image (naming it).
func ImageFolder(dir string) ([]Image, error) {
	return imageFolder(os.DirFS(dir), dir)
}

func imageFolder(fsys fs.FS, dir string) ([]Image, error) {
	top, err := fs.ReadDir(fsys, ".")
	if err != nil {
		if pe, ok := errors.AsType[*fs.PathError](err); ok {
			err = pe.Err
		}
		return nil, fmt.Errorf("prime: image folder %s: %w", dir, err)
	}
	exts := ImageExtensions()
	var images []Image
	classes := 0
	for _, d := range top {
		class := d.Name()
		if strings.HasPrefix(class, ".") || !isDir(fsys, class, d) {
			continue
		}
		classes++
		n := len(images)
		err := fs.WalkDir(fsys, class, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if strings.HasPrefix(d.Name(), ".") && p != class {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() || !slices.Contains(exts, strings.ToLower(path.Ext(p))) {
				return nil
			}
			images = append(images, Image{ID: p, Label: class, Path: filepath.Join(dir, filepath.FromSlash(p))})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("prime: image folder %s: %w", dir, err)
		}
		if len(images) == n {
			return nil, fmt.Errorf("prime: image folder %s: class folder %q holds no images (%s)",
				dir, class, strings.Join(exts, " "))
		}
	}
	if classes == 0 {
		return nil, fmt.Errorf("prime: image folder %s: no class folders: want %s/<class>/<image file>", dir, dir)
	}
	return images, nil
}

// isDir reports whether the entry name of fsys's root is a directory,
// following a symbolic link.
func isDir(fsys fs.FS, name string, d fs.DirEntry) bool {
	if d.IsDir() {
		return true
	}
	if d.Type()&fs.ModeSymlink == 0 {
		return false
	}
	fi, err := fs.Stat(fsys, name)
	return err == nil && fi.IsDir()
}
