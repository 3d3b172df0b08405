package precomputed

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/jsonl"
)

// parseImage returns a line's "image", which must be given, and adds it
// to names.
func parseImage(r *jsonl.Record, names Names) (string, error) {
	if r.Image.Len() == 0 {
		return "", &jsonl.Error{Field: "image", Err: jsonl.ErrMissing}
	}
	return names.Add(r.Bytes(r.Image)), nil
}

func TestRead(t *testing.T) {
	tests := []struct {
		name, in string
		want     map[string]string
		names    []string
		err      string
	}{
		{"ok", "\xef\xbb\xbf" + `{"id":"a","image":"y"}` + "\n\n  \n" + `{"id":"b","image":"x","tags":["t"],"x":[1]}` + "\n" + `{"id":"c","image":"y"}`, map[string]string{"a": "y", "b": "x", "c": "y"}, []string{"x", "y"}, ""},
		{"parse refuses", `{"id":"a","image":"x"}` + "\n" + `{"id":"b"}`, nil, nil, `pkg: file:2: field "image": missing or empty`},
		{"no id", `{"image":"x"}`, nil, nil, `pkg: file:1: field "id": missing or empty`},
		{"id in another case", `{"ID":"a","image":"x"}`, nil, nil, `pkg: file:1: field "id": missing or empty`},
		{"not JSON", `{"id":"a","image":"x"}` + "\nnope", nil, nil, `pkg: file:2: invalid JSON: unexpected 'n' at column 1`},
		{"repeated id", `{"id":"a","image":"x"}` + "\n" + `{"id":"a","image":"y"}`, nil, nil, `pkg: file:2: field "id": repeated: "a" first appears on line 1`},
		{"repeated member", `{"id":"a","image":"x","image":"y"}`, nil, nil, `pkg: file:1: field "image": given twice`},
		{"invalid UTF-8", "{\"id\":\"a\",\"image\":\"\xff\"}", nil, nil, `pkg: file:1: field "image": invalid UTF-8`},
		{"empty", "\n \n", nil, nil, "pkg: file: no images"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Read(strings.NewReader(tt.in), "pkg", "file", parseImage)
			if tt.err != "" {
				require.EqualError(t, err, tt.err)
				var le *prime.LineError
				assert.ErrorAs(t, err, &le)
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.values)
			assert.Equal(t, tt.names, got.Names())
			assert.Equal(t, len(tt.want), got.Len())
		})
	}
}

func TestNames(t *testing.T) {
	n := Names{}
	a := n.Add([]byte("b"))
	assert.Equal(t, "b", a)
	n.Add([]byte("a"))
	n.Add([]byte("b"))
	assert.Equal(t, []string{"a", "b"}, n.Sorted())
}

func TestLoadMissing(t *testing.T) {
	_, err := Load(t.TempDir()+"/none.jsonl", "pkg", "what", parseImage)
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "pkg: "), err.Error())
}

func TestLookup(t *testing.T) {
	f := &File[string]{values: map[string]string{"a": "x"}, pkg: "pkg", what: "what"}
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
			got, err := f.Lookup(tt.ctx, tt.id)
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
	f := &File[int]{values: map[string]int{"c": 1, "a": 2, "b": 3}}
	assert.Equal(t, []string{"a", "b", "c"}, f.IDs())
}
