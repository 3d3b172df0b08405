package tagger

import (
	"cmp"
	"context"
	"errors"
	"image"
	"io"
	"slices"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/internal/jsonl"
	"github.com/failmodes/prime/internal/precomputed"
)

// Precomputed is a Tagger whose tags were computed elsewhere, for example
// by the Recognize Anything Model run in Python on a GPU cluster, and saved
// in a JSON Lines file keyed by image id, one image per line:
//
//	{"id": "fox/n02119022_1.jpg", "tags": ["animal", "branch", "fox"]}
//	{"id": "fox/n02119022_2.jpg", "tags": [{"name": "snow", "score": 0.91}, "fox"]}
//
// A tag is a string (score 1) or an object with "name" and "score" (in
// [0, 1]); a name given twice keeps its highest score. The file is read by
// the rules of prime.RecordReader, which reads the same "tags" member, so
// a records file serves as well; other members are ignored.
//
// It is a prime.IDTagger: TagID looks an image up by its id, and prime.Run
// calls it without opening the image; an id the file does not hold is an
// error naming it. IDs lists the ids the file holds, so that a caller can
// check it against its images before any inference.
//
// A Precomputed is immutable and safe for concurrent use.
type Precomputed struct {
	tags  map[string][]prime.Tag // by id; names ascending, no repeats
	vocab []string               // every tag name, ascending
}

// LoadPrecomputed reads a Precomputed from the file at path.
func LoadPrecomputed(path string) (*Precomputed, error) {
	names := precomputed.Names{}
	tags, err := precomputed.Load(path, "tagger", parser(names))
	return newPrecomputed(tags, names), err
}

// NewPrecomputed reads a Precomputed from r, in the format described at
// Precomputed. Errors name the line at fault.
func NewPrecomputed(r io.Reader) (*Precomputed, error) {
	names := precomputed.Names{}
	tags, err := precomputed.Read(r, "tagger", "precomputed tags", parser(names))
	return newPrecomputed(tags, names), err
}

// newPrecomputed returns a Precomputed holding tags, whose names are
// those of names, or nil when tags is nil.
func newPrecomputed(tags map[string][]prime.Tag, names precomputed.Names) *Precomputed {
	if tags == nil {
		return nil
	}
	return &Precomputed{tags: tags, vocab: names.Sorted()}
}

// parser returns the parser of a line's tags, which returns them
// ascending by name (a name given twice keeps its highest score) and adds
// their names to names.
func parser(names precomputed.Names) precomputed.ParseFunc[[]prime.Tag] {
	return func(r *jsonl.Record) ([]prime.Tag, error) {
		if !r.HasTags {
			return nil, &jsonl.Error{Field: "tags", Err: jsonl.ErrMissing}
		}
		tags := make([]prime.Tag, len(r.Tags))
		for i, sp := range r.Tags {
			tags[i] = prime.Tag{Name: names.Add(r.Bytes(sp)), Score: 1}
			if len(r.Scores) > 0 {
				tags[i].Score = r.Scores[i]
			}
		}
		slices.SortStableFunc(tags, func(a, b prime.Tag) int {
			if a.Name != b.Name {
				return cmp.Compare(a.Name, b.Name)
			}
			return cmp.Compare(b.Score, a.Score) // highest score first
		})
		return slices.Clip(slices.CompactFunc(tags, func(a, b prime.Tag) bool { return a.Name == b.Name })), nil
	}
}

// TagID returns the tags the file holds for image id, ascending by name,
// in a new slice.
func (p *Precomputed) TagID(ctx context.Context, id string) ([]prime.Tag, error) {
	tags, err := precomputed.Lookup(ctx, p.tags, id, "tagger", "precomputed tags")
	if err != nil {
		return nil, err
	}
	return slices.Clone(tags), nil
}

// Tag returns an error: a Precomputed answers by image id, through TagID,
// which prime.Run calls.
func (p *Precomputed) Tag(ctx context.Context, img image.Image) ([]prime.Tag, error) {
	return nil, errors.New("tagger: Precomputed looks tags up by image id: call TagID")
}

// IDs returns the ids of the images the file holds, ascending, in a new
// slice.
func (p *Precomputed) IDs() []string { return precomputed.IDs(p.tags) }

// Vocabulary returns every tag name the file holds, ascending, in a new
// slice.
func (p *Precomputed) Vocabulary() []string { return slices.Clone(p.vocab) }

// Len returns the number of images the file holds.
func (p *Precomputed) Len() int { return len(p.tags) }
