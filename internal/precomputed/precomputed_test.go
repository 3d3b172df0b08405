package precomputed

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parseWord reads lines "id word".
func parseWord(line []byte) (string, string, error) {
	id, word, ok := strings.Cut(strings.TrimSpace(string(line)), " ")
	if !ok {
		return "", "", errors.New("want id and word")
	}
	return id, word, nil
}

func TestRead(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]string
		err      string
	}{
		{"ok", "a x\n\n  \nb y", map[string]string{"a": "x", "b": "y"}, ""},
		{"parse error", "a x\nb\n", nil, "pkg: file:2: want id and word"},
		{"repeated", "a x\na y\n", nil, `pkg: file:2: id "a" repeated`},
		{"invalid UTF-8", "a x\nb \xff\n", nil, "pkg: file:2: invalid UTF-8"},
		{"empty", "\n \n", nil, "pkg: file: no images"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Read(strings.NewReader(tt.in), "pkg", "file", parseWord)
			if tt.err != "" {
				require.EqualError(t, err, tt.err)
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load(t.TempDir()+"/none.jsonl", "pkg", parseWord)
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "pkg: "), err.Error())
}

func TestLookup(t *testing.T) {
	m := map[string]string{"a": "x"}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		id   string
		want string
		err  string
		is   error
	}{
		{"found", context.Background(), "a", "x", "", nil},
		{"missing", context.Background(), "b", "", `pkg: what: no image "b" in the file`, nil},
		{"cancelled", cancelled, "a", "", "", context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Lookup(tt.ctx, m, tt.id, "pkg", "what")
			switch {
			case tt.err != "":
				require.EqualError(t, err, tt.err)
			case tt.is != nil:
				require.ErrorIs(t, err, tt.is)
			default:
				require.NoError(t, err)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestIDs(t *testing.T) {
	assert.Equal(t, []string{"a", "b", "c"}, IDs(map[string]int{"c": 1, "a": 2, "b": 3}))
}
