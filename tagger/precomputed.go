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
	// tags are by id, names ascending, no repeats; its names are the
	// vocabulary.
	tags *precomputed.File[[]prime.Tag]
}

// what names the file in errors.
const what = "precomputed tags"

// LoadPrecomputed reads a Precomputed from the file at path.
func LoadPrecomputed(path string) (*Precomputed, error) {
	return newPrecomputed(precomputed.Load(path, "tagger", what, parse))
}

// NewPrecomputed reads a Precomputed from r, in the format described at
// Precomputed. Errors name the line at fault.
func NewPrecomputed(r io.Reader) (*Precomputed, error) {
	return newPrecomputed(precomputed.Read(r, "tagger", what, parse))
}

// newPrecomputed returns a Precomputed holding tags, or err.
func newPrecomputed(tags *precomputed.File[[]prime.Tag], err error) (*Precomputed, error) {
	if err != nil {
		return nil, err
	}
	return &Precomputed{tags: tags}, nil
}

// parse returns a line's tags, ascending by name (a name given twice
// keeps its highest score), and adds their names to names.
func parse(r *jsonl.Record, names precomputed.Names) ([]prime.Tag, error) {
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

// TagID returns the tags the file holds for image id, ascending by name,
// in a new slice.
func (p *Precomputed) TagID(ctx context.Context, id string) ([]prime.Tag, error) {
	tags, err := p.tags.Lookup(ctx, id)
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
func (p *Precomputed) IDs() []string { return p.tags.IDs() }

// Vocabulary returns every tag name the file holds, ascending, in a new
// slice.
func (p *Precomputed) Vocabulary() []string { return p.tags.Names() }

// Len returns the number of images the file holds.
func (p *Precomputed) Len() int { return p.tags.Len() }
