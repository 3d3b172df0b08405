package prime_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadmeSnippets checks that the README's Go snippets are code that
// compiles: each stands, line for line, in one of the module's Go files
// (indentation and runs of spaces aside), where go vet and go test build
// it.
func TestReadmeSnippets(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	snippets := regexp.MustCompile("(?ms)^```go\n(.*?)^```$").FindAllStringSubmatch(string(readme), -1)
	require.NotEmpty(t, snippets, "Go snippets in README.md")

	var sources []string
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != ".":
			return fs.SkipDir
		case !d.IsDir() && strings.HasSuffix(path, ".go"):
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sources = append(sources, "\n"+normalize(string(data))+"\n")
		}
		return nil
	})
	require.NoError(t, err)
	for _, s := range snippets {
		code := normalize(s[1])
		found := false
		for _, src := range sources {
			if strings.Contains(src, "\n"+code+"\n") {
				found = true
				break
			}
		}
		assert.True(t, found, "README snippet not found in any Go file of the module:\n%s", s[1])
	}
}

// normalize folds the white space of each line of code to single spaces.
func normalize(code string) string {
	lines := strings.Split(strings.TrimSpace(code), "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}
