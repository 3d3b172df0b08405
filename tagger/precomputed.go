package tagger

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"slices"

	"github.com/failmodes/prime"
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
// [0, 1]). Other fields are ignored, so a records file (see prime.Record)
// serves as well. Blank lines are skipped.
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
	tags, err := precomputed.Load(path, "tagger", parsePrecomputedLine)
	return newPrecomputed(tags), err
}

// NewPrecomputed reads a Precomputed from r, in the format described at
// Precomputed. Errors name the line at fault.
func NewPrecomputed(r io.Reader) (*Precomputed, error) {
	tags, err := precomputed.Read(r, "tagger", "precomputed tags", parsePrecomputedLine)
	return newPrecomputed(tags), err
}

// precomputedLine is one line of a precomputed tags file.
type precomputedLine struct {
	ID   string          `json:"id"`
	Tags json.RawMessage `json:"tags"`
}

// precomputedTag is a tag given as an object.
type precomputedTag struct {
	Name  string   `json:"name"`
	Score *float32 `json:"score"`
}

// newPrecomputed returns a Precomputed holding tags, or nil when tags is.
func newPrecomputed(tags map[string][]prime.Tag) *Precomputed {
	if tags == nil {
		return nil
	}
	p := &Precomputed{tags: tags}
	vocab := make(map[string]bool)
	for _, ts := range tags {
		for _, t := range ts {
			vocab[t.Name] = true
		}
	}
	for t := range vocab {
		p.vocab = append(p.vocab, t)
	}
	slices.Sort(p.vocab)
	return p
}

// parsePrecomputedLine returns the id and tags of one line (valid UTF-8), the tags
// ascending by name; a name given twice keeps its highest score.
func parsePrecomputedLine(line []byte) (string, []prime.Tag, error) {
	var l precomputedLine
	if err := json.Unmarshal(line, &l); err != nil {
		return "", nil, fmt.Errorf("not a JSON object: %w", err)
	}
	if l.ID == "" {
		return "", nil, errors.New(`field "id": missing or empty`)
	}
	if l.Tags == nil {
		return "", nil, errors.New(`field "tags": missing`)
	}
	// Most files hold names only: decode them in one go.
	var names []string
	var raws []json.RawMessage
	if err := json.Unmarshal(l.Tags, &names); err != nil {
		names = nil
		if err := json.Unmarshal(l.Tags, &raws); err != nil {
			return "", nil, errors.New(`field "tags": not an array`)
		}
	}
	tags := make([]prime.Tag, 0, len(names)+len(raws))
	for _, n := range names {
		tags = append(tags, prime.Tag{Name: n, Score: 1})
	}
	for i, raw := range raws {
		t := prime.Tag{Score: 1}
		if err := json.Unmarshal(raw, &t.Name); err != nil {
			var obj precomputedTag
			if err := json.Unmarshal(raw, &obj); err != nil {
				return "", nil, fmt.Errorf(`field "tags": element %d: want a string or {"name": ..., "score": ...}`, i)
			}
			t.Name = obj.Name
			if obj.Score != nil {
				t.Score = *obj.Score
			}
		}
		tags = append(tags, t)
	}
	for i, t := range tags {
		if t.Name == "" {
			return "", nil, fmt.Errorf(`field "tags": element %d: empty tag`, i)
		}
		if !(t.Score >= 0 && t.Score <= 1) {
			return "", nil, fmt.Errorf(`field "tags": element %d: score %v outside [0, 1]`, i, t.Score)
		}
	}
	slices.SortStableFunc(tags, func(a, b prime.Tag) int {
		if a.Name != b.Name {
			return cmp.Compare(a.Name, b.Name)
		}
		return cmp.Compare(b.Score, a.Score) // highest score first
	})
	tags = slices.CompactFunc(tags, func(a, b prime.Tag) bool { return a.Name == b.Name })
	return l.ID, slices.Clip(tags), nil
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
