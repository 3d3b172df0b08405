package prime

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// Thresholds give each tag the score above which an image carries it, as
// a tagger decides its tags (tagger.ONNX reports a tag whose score is above
// its threshold): one threshold for every tag, or one per tag of a
// vocabulary, as the Recognize Anything Model's threshold file gives them.
// Rethreshold and Dataset.Rethreshold decide the tags of records again
// from the scores they keep, without running the tagger again. Thresholds
// are immutable and safe for concurrent use.
type Thresholds struct {
	uniform float32            // every tag's, when byTag is nil
	byTag   map[string]float32 // per tag
	order   []string           // the tags of byTag, lowest threshold first (then by name)
}

// UniformThreshold returns Thresholds that give every tag the threshold t,
// in [0, 1].
func UniformThreshold(t float32) (*Thresholds, error) {
	if !(t >= 0 && t <= 1) {
		return nil, fmt.Errorf("prime: threshold %v outside [0, 1]", t)
	}
	return &Thresholds{uniform: t}, nil
}

// NewThresholds returns Thresholds that give tags[k] the threshold
// values[k], in [0, 1]: a vocabulary and its thresholds, aligned, as the
// Recognize Anything Model's ram_tag_list.txt and
// ram_tag_list_threshold.txt hold them (see tagger.LoadVocabulary and
// tagger.LoadThresholds). Tags are non-empty and unique. A tag not in tags
// has no threshold: re-thresholding a record that keeps a score for one is
// an error.
func NewThresholds(tags []string, values []float32) (*Thresholds, error) {
	if len(tags) != len(values) {
		return nil, fmt.Errorf("prime: %d thresholds for %d tags", len(values), len(tags))
	}
	t := &Thresholds{byTag: make(map[string]float32, len(tags)), order: slices.Clone(tags)}
	for k, tag := range tags {
		v := values[k]
		switch _, repeated := t.byTag[tag]; {
		case tag == "":
			return nil, fmt.Errorf("prime: thresholds: tag %d is empty", k)
		case repeated:
			return nil, fmt.Errorf("prime: thresholds: tag %q given twice", tag)
		case !(v >= 0 && v <= 1):
			return nil, fmt.Errorf("prime: thresholds: the threshold of %q, %v, is outside [0, 1]", tag, v)
		}
		t.byTag[tag] = v
	}
	slices.SortFunc(t.order, func(a, b string) int {
		return cmp.Or(cmp.Compare(t.byTag[a], t.byTag[b]), cmp.Compare(a, b))
	})
	return t, nil
}

// Of returns the threshold of tag, and whether it has one.
func (t *Thresholds) Of(tag string) (float32, bool) {
	if t.byTag == nil {
		return t.uniform, true
	}
	v, ok := t.byTag[tag]
	return v, ok
}

// Errors of re-thresholding a record.
var (
	errNoTagScores = errors.New("missing: a record's tags are decided again from the scores it keeps")
	errNoThreshold = errors.New("no threshold")
)

// A FloorError reports a record whose tag scores were kept above a floor
// higher than a threshold: a tag it does not list may have scored between
// the two, and so be the image's at that threshold, which the record
// cannot tell. Tag is the tag whose threshold is below the floor, "" when
// every tag has that threshold.
type FloorError struct {
	Floor, Threshold float32
	Tag              string
}

func (e *FloorError) Error() string {
	what := "no tag can be decided at the threshold " + formatFloat32(e.Threshold)
	if e.Tag != "" {
		what = strconv.Quote(e.Tag) + " cannot be decided at its threshold " + formatFloat32(e.Threshold)
	}
	return "tag scores were kept above " + formatFloat32(e.Floor) + " only, so " + what
}

// floorError returns a *FloorError when th gives a tag that listed says a
// record does not list a threshold below floor, the record's: such a tag
// may have scored above its threshold. A record lists at most a few
// hundred tags, and the walk over the tags by threshold stops at the first
// it does not list.
func (th *Thresholds) floorError(floor float32, listed func(tag string) bool) error {
	if th.byTag == nil {
		if th.uniform < floor {
			return &FloorError{Floor: floor, Threshold: th.uniform}
		}
		return nil
	}
	for _, tag := range th.order {
		v := th.byTag[tag]
		if v >= floor {
			break
		}
		if !listed(tag) {
			return &FloorError{Floor: floor, Threshold: v, Tag: tag}
		}
	}
	return nil
}

// Rethreshold decides the tags of records again, at the thresholds th,
// from the scores they keep: a record's Tags become the names of its
// TagScores whose score is above their threshold, ascending, as tagger.ONNX
// decides them from the same scores; its scores stay as they are. The
// result equals what the tagger would have given at th, provided th gives
// each tag a threshold no lower than the record's TagFloor (unless the
// record lists the tag's score): a tag absent from TagScores scored at most
// TagFloor, and may have scored above a lower threshold.
//
// It refuses, with a *RecordError naming the record's index and changing
// no record, a record without TagScores, a tag score without a threshold,
// and a threshold below a record's floor for a tag it does not list (a
// *FloorError).
func Rethreshold(records []Record, th *Thresholds) error {
	for i := range records {
		r := &records[i]
		fail := func(field string, err error) error { return &RecordError{Index: i, Field: field, Err: err} }
		if r.TagScores == nil {
			return fail("tag_scores", errNoTagScores)
		}
		for _, s := range r.TagScores {
			if _, ok := th.Of(s.Name); !ok {
				return fail("tag_scores", fmt.Errorf("%q: %w", s.Name, errNoThreshold))
			}
		}
		listed := func(tag string) bool {
			return slices.ContainsFunc(r.TagScores, func(s Score) bool { return s.Name == tag })
		}
		if err := th.floorError(r.TagFloor, listed); err != nil {
			return fail("tag_floor", err)
		}
	}
	for i := range records {
		r := &records[i]
		var tags []string
		for _, s := range r.TagScores {
			if v, _ := th.Of(s.Name); s.Value > v {
				tags = append(tags, s.Name)
			}
		}
		slices.Sort(tags)
		r.Tags = slices.Compact(tags)
	}
	return nil
}

// Rethreshold returns the records of d with their tags decided again at
// the thresholds th from the scores they keep, as the function Rethreshold
// decides them, and refuses what it refuses, with a *RecordError naming
// the record's index. d is unchanged.
func (d *Dataset) Rethreshold(th *Thresholds) (*Dataset, error) {
	theta := make([]float32, len(d.scoredTags))
	known := make([]bool, len(d.scoredTags))
	index := make(map[string]int32, len(d.scoredTags))
	for k, name := range d.scoredTags {
		theta[k], known[k] = th.Of(name)
		index[name] = int32(k)
	}
	n := d.Len()
	c := &Columns{
		IDs: slices.Clone(d.ids), Images: slices.Clone(d.images),
		Labels: d.labels, Label: slices.Clone(d.label), Preds: d.preds, Pred: slices.Clone(d.pred), Correct: slices.Clone(d.correct),
		Tags: d.scoredTags, TagStart: make([]int, 1, n+1),
		TagScores: d.tagScores.columns(d.scoredTags), TagFloor: slices.Clone(d.tagFloor),
		PredScores: d.predScores.columns(d.scoredPreds),
	}
	for i := range n {
		fail := func(field string, err error) (*Dataset, error) {
			return nil, &RecordError{Index: i, Field: field, Err: err}
		}
		if !d.hasTagScores(i) {
			return fail("tag_scores", errNoTagScores)
		}
		from, to := d.tagScores.record(i)
		ids := d.tagScores.ids[from:to]
		for _, id := range ids {
			if !known[id] {
				return fail("tag_scores", fmt.Errorf("%q: %w", d.scoredTags[id], errNoThreshold))
			}
		}
		listed := func(tag string) bool {
			id, ok := index[tag]
			return ok && slices.Contains(ids, id)
		}
		if err := th.floorError(d.tagFloor[i], listed); err != nil {
			return fail("tag_floor", err)
		}
		for k := from; k < to; k++ {
			if id := d.tagScores.ids[k]; d.tagScores.vals[k] > theta[id] {
				c.TagIDs = append(c.TagIDs, id)
			}
		}
		c.TagStart = append(c.TagStart, len(c.TagIDs))
	}
	var b DatasetBuilder
	if err := b.AddColumns(c); err != nil {
		return nil, err
	}
	return b.finish(), nil
}

// columns returns c, whose names are names, as ScoreColumns of copies of
// its slices.
func (c *scoreColumns) columns(names []string) ScoreColumns {
	if c.start == nil {
		return ScoreColumns{}
	}
	return ScoreColumns{Names: names, Start: slices.Clone(c.start), IDs: slices.Clone(c.ids), Values: slices.Clone(c.vals)}
}
