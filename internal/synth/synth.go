package synth

import (
	_ "embed"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/failmodes/prime"
)

//go:embed ram/ram_tag_list.txt
var ramTagList string

// RAMTags returns the 4,585 tags of the Recognize Anything Model, in the
// order of RAM's ram_tag_list.txt. The slice is new on each call.
func RAMTags() []string {
	return strings.Split(strings.TrimRight(ramTagList, "\n"), "\n")
}

// Defaults of Config: a zero field means the value here.
const (
	DefaultClasses         = 20
	DefaultRecords         = 1000
	DefaultMinTags         = 10
	DefaultMaxTags         = 25
	DefaultModes           = 3
	DefaultMinAccuracy     = 0.8
	DefaultMaxAccuracy     = 0.9
	DefaultMinModeAccuracy = 0.2
	DefaultMaxModeAccuracy = 0.4
	DefaultMinModeSize     = 50
	DefaultMaxModeSize     = 90
)

// Limits of Config's fields.
const (
	ClassesLimit = 100_000    // most classes
	RecordsLimit = 10_000_000 // most records per class
	TagsLimit    = 1000       // most tags per record
	ModesLimit   = 12         // most planted modes per class
	// VocabularyLimit is the largest VocabularySize.
	VocabularyLimit = 1_000_000
	// ClusterLimit is the largest Cluster.
	ClusterLimit = 0.99
	// TopicLimit is the largest TopicSize.
	TopicLimit = 100
	// ModeGap is the least difference between MinAccuracy and
	// MaxModeAccuracy when modes are planted.
	ModeGap = 0.3
)

// Margins of the layout of a class: a planted set's drop against the rest
// of its class is at least plantedDrop and each of its proper subsets is at
// least plantedMarginal more accurate; each proper subset's own drop is at
// most subsetDrop. With the definition's defaults (a = 0.2, b = 0.05) these
// leave every planted set a failure mode and none of its subsets one.
const (
	plantedDrop     = 0.25
	plantedMarginal = 0.1
	subsetDrop      = 0.15
	// budgetShare is the largest share of a class that planted modes and
	// the records carrying their subsets may take.
	budgetShare = 0.75
)

// Config describes a synthetic workload. Its zero value asks for the
// defaults: DefaultClasses classes of DefaultRecords records, RAM's
// vocabulary, 10 to 25 tags per record, DefaultModes planted modes per
// class, seed 0.
type Config struct {
	// Classes is the number of classes, 1 to ClassesLimit. 0 means
	// DefaultClasses.
	Classes int
	// MinRecords and MaxRecords bound the records of each class, drawn
	// uniformly in [MinRecords, MaxRecords], 1 to RecordsLimit. When one is
	// 0 it takes the other's value; when both are, DefaultRecords.
	MinRecords, MaxRecords int
	// Vocabulary is the tags to draw from: distinct, non-empty strings.
	// nil means RAMTags().
	Vocabulary []string
	// VocabularySize, when not 0, keeps a seeded sample of this many tags
	// of Vocabulary (in Vocabulary's order), or, when it is larger than
	// Vocabulary, adds made-up tags ("tag 04586", ...) up to this many, at
	// most VocabularyLimit. It must leave room for every record's tags and
	// the planted ones: at least 2·MaxTags plus the planted tags of a class
	// (see MinVocabulary). Each class draws from a pool of 400 to 1,000
	// tags, whatever the vocabulary's size.
	VocabularySize int
	// MinTags and MaxTags bound the tags of each record, 1 ≤ MinTags ≤
	// MaxTags ≤ TagsLimit, drawn with a right skew: most records carry few
	// tags, a few many (for 10 to 25, a mean of 13.5). 0 means
	// DefaultMinTags and DefaultMaxTags.
	MinTags, MaxTags int
	// Modes is the number of failure modes planted in each class, of
	// 1, 2, 3, 1, ... tags (the first size rotates with the class), up to
	// ModesLimit. 0 means DefaultModes; a negative value plants none. A
	// mode whose records would not fit in three quarters of its class (or
	// that has more tags than MaxTags) is left out, so small classes get
	// fewer: Generate returns the ones planted.
	Modes int
	// MinAccuracy and MaxAccuracy bound each class's accuracy outside its
	// planted modes, drawn uniformly, in [0, 1]. 0 means DefaultMinAccuracy
	// and DefaultMaxAccuracy; a negative value means 0.
	MinAccuracy, MaxAccuracy float64
	// MinModeAccuracy and MaxModeAccuracy bound each planted mode's
	// accuracy, drawn uniformly, in [0, 1], at least ModeGap below
	// MinAccuracy. 0 means DefaultMinModeAccuracy and
	// DefaultMaxModeAccuracy; a negative value means 0.
	MinModeAccuracy, MaxModeAccuracy float64
	// MinModeSize and MaxModeSize bound the records of each planted mode
	// (those carrying all its tags), drawn uniformly. 0 means
	// DefaultMinModeSize and DefaultMaxModeSize. A mode of fewer than s
	// records is not found at size threshold s.
	MinModeSize, MaxModeSize int
	// Cluster is how strongly tags cluster: each class has 10 to 30
	// topics, groups of 3 to 6 of its 150 most popular tags, and a record
	// outside the planted modes draws topics one after another while a
	// uniform draw falls below Cluster (a mean of Cluster/(1−Cluster)
	// topics), carrying each tag of a drawn topic with probability 3/4,
	// before its other tags. In [0, 0.99]; 0 means the default mix (half
	// the records draw one topic, a fifth two, the rest none); a negative
	// value means no topics at all.
	Cluster float64
	// TopicSize is the most tags in a topic: topics have TopicSize/2 to
	// TopicSize tags, 2 to TopicLimit; 0 means 6 (3 to 6 tags). Larger
	// topics make more tags go together.
	TopicSize int
	// Skew is the exponent s of the Zipf-like popularity of each class's
	// pool of tags: its i-th most popular tag has weight 1/(i+1)^s. The
	// higher, the fewer the tags that most records carry. In [0.1, 4];
	// 0 means an exponent drawn for each class in [0.9, 1.2].
	Skew float64
	// Null plants nothing and makes each record wrong independently with
	// its class's error rate, whatever its tags.
	Null bool
	// Seed seeds every random choice: the same Config gives the same
	// records.
	Seed uint64
}

// A RangeError reports a Config field outside its accepted range.
type RangeError struct {
	Field string // the Config field
	Value string // the value given
	Range string // the accepted range, in words
}

func (e *RangeError) Error() string {
	return fmt.Sprintf("synth: %s %s out of range: want %s", e.Field, e.Value, e.Range)
}

// Planted is a failure mode planted in a class: the records of Label that
// carry every tag of Tags.
type Planted struct {
	Label    string   `json:"label"`
	Tags     []string `json:"tags"` // sorted
	N        int      `json:"n"`    // records carrying every tag
	Accuracy float64  `json:"accuracy"`
	Correct  int      `json:"-"` // correct records among the N
}

// modeSize returns the number of tags of mode j of class ci.
func modeSize(ci, j int) int { return (ci+j)%3 + 1 }

// plantedTags returns the most tags planted in a class, whichever size its
// modes start with.
func plantedTags(modes int) int {
	most := 0
	for ci := range 3 {
		t := 0
		for j := range modes {
			t += modeSize(ci, j)
		}
		most = max(most, t)
	}
	return most
}

// MinVocabulary is the smallest vocabulary (after VocabularySize) that a
// Config with these MaxTags and Modes accepts.
func MinVocabulary(maxTags, modes int) int {
	return 2*maxTags + plantedTags(modes)
}

// withDefaults returns c with zero fields replaced by their defaults and
// the vocabulary resolved (not yet sampled), or the first field out of range.
func (c Config) withDefaults() (Config, error) {
	if c.Classes == 0 {
		c.Classes = DefaultClasses
	}
	switch {
	case c.MinRecords == 0 && c.MaxRecords == 0:
		c.MinRecords, c.MaxRecords = DefaultRecords, DefaultRecords
	case c.MinRecords == 0:
		c.MinRecords = c.MaxRecords
	case c.MaxRecords == 0:
		c.MaxRecords = c.MinRecords
	}
	if c.Vocabulary == nil {
		c.Vocabulary = RAMTags()
	}
	if c.MinTags == 0 {
		c.MinTags = DefaultMinTags
	}
	if c.MaxTags == 0 {
		c.MaxTags = DefaultMaxTags
	}
	switch {
	case c.Null || c.Modes < 0:
		c.Modes = 0
	case c.Modes == 0:
		c.Modes = DefaultModes
	}
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		} else if *v < 0 {
			*v = 0
		}
	}
	def(&c.MinAccuracy, DefaultMinAccuracy)
	def(&c.MaxAccuracy, DefaultMaxAccuracy)
	def(&c.MinModeAccuracy, DefaultMinModeAccuracy)
	def(&c.MaxModeAccuracy, DefaultMaxModeAccuracy)
	if c.TopicSize == 0 {
		c.TopicSize = 6
	}
	if c.MinModeSize == 0 {
		c.MinModeSize = DefaultMinModeSize
	}
	if c.MaxModeSize == 0 {
		c.MaxModeSize = DefaultMaxModeSize
	}
	return c, c.check()
}

func (c *Config) check() error {
	bad := func(field string, v any, want string, args ...any) error {
		return &RangeError{Field: field, Value: fmt.Sprint(v), Range: fmt.Sprintf(want, args...)}
	}
	unit := func(v float64) bool { return v >= 0 && v <= 1 }
	switch {
	case c.Classes < 1 || c.Classes > ClassesLimit:
		return bad("Classes", c.Classes, "1 to %d", ClassesLimit)
	case c.MinRecords < 1 || c.MinRecords > RecordsLimit:
		return bad("MinRecords", c.MinRecords, "1 to %d", RecordsLimit)
	case c.MaxRecords < c.MinRecords || c.MaxRecords > RecordsLimit:
		return bad("MaxRecords", c.MaxRecords, "%d (MinRecords) to %d", c.MinRecords, RecordsLimit)
	case c.MinTags < 1 || c.MinTags > TagsLimit:
		return bad("MinTags", c.MinTags, "1 to %d", TagsLimit)
	case c.MaxTags < c.MinTags || c.MaxTags > TagsLimit:
		return bad("MaxTags", c.MaxTags, "%d (MinTags) to %d", c.MinTags, TagsLimit)
	case c.Modes > ModesLimit:
		return bad("Modes", c.Modes, "0 to %d", ModesLimit)
	case !unit(c.MinAccuracy):
		return bad("MinAccuracy", c.MinAccuracy, "0 to 1")
	case !unit(c.MaxAccuracy) || c.MaxAccuracy < c.MinAccuracy:
		return bad("MaxAccuracy", c.MaxAccuracy, "%v (MinAccuracy) to 1", c.MinAccuracy)
	case !unit(c.MinModeAccuracy):
		return bad("MinModeAccuracy", c.MinModeAccuracy, "0 to 1")
	case !unit(c.MaxModeAccuracy) || c.MaxModeAccuracy < c.MinModeAccuracy:
		return bad("MaxModeAccuracy", c.MaxModeAccuracy, "%v (MinModeAccuracy) to 1", c.MinModeAccuracy)
	case c.Modes > 0 && c.MaxModeAccuracy > c.MinAccuracy-ModeGap+1e-12:
		return bad("MaxModeAccuracy", c.MaxModeAccuracy, "%v (MinModeAccuracy) to %.4g (MinAccuracy − %v)",
			c.MinModeAccuracy, c.MinAccuracy-ModeGap, ModeGap)
	case c.Cluster > ClusterLimit || math.IsNaN(c.Cluster):
		return bad("Cluster", c.Cluster, "%v at most (or 0 for the default, negative for none)", ClusterLimit)
	case c.TopicSize < 2 || c.TopicSize > TopicLimit:
		return bad("TopicSize", c.TopicSize, "2 to %d (or 0 for the default)", TopicLimit)
	case c.Skew != 0 && !(c.Skew >= 0.1 && c.Skew <= 4):
		return bad("Skew", c.Skew, "0.1 to 4 (or 0 for the default)")
	case c.MinModeSize < 1 || c.MinModeSize > RecordsLimit:
		return bad("MinModeSize", c.MinModeSize, "1 to %d", RecordsLimit)
	case c.MaxModeSize < c.MinModeSize || c.MaxModeSize > RecordsLimit:
		return bad("MaxModeSize", c.MaxModeSize, "%d (MinModeSize) to %d", c.MinModeSize, RecordsLimit)
	}
	if len(c.Vocabulary) == 0 {
		return errors.New("synth: empty vocabulary")
	}
	seen := make(map[string]bool, len(c.Vocabulary))
	for _, t := range c.Vocabulary {
		if t == "" {
			return errors.New("synth: empty tag in vocabulary")
		}
		if seen[t] {
			return fmt.Errorf("synth: tag %q repeated in vocabulary", t)
		}
		seen[t] = true
	}
	lo := MinVocabulary(c.MaxTags, c.Modes)
	v := c.VocabularySize
	if v == 0 {
		v = len(c.Vocabulary)
	}
	if v < lo || v > VocabularyLimit {
		return bad("VocabularySize", v, "%d (2 x MaxTags + planted tags) to %d", lo, VocabularyLimit)
	}
	return nil
}

// Generate draws the records of cfg, class after class, and calls emit with
// each. The record and its Tags are reused after emit returns: emit must
// copy what it keeps. Generate stops at the first error of emit and returns
// it. It returns the planted failure modes sorted by label, then tag count,
// then tags (none with cfg.Null).
func Generate(cfg Config, emit func(*prime.Record) error) ([]Planted, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	sh := newShared(cfg)

	// Classes are drawn independently (each from its own seeded stream)
	// by a few workers and emitted in order from this goroutine, so the
	// output does not depend on the number of workers.
	workers := min(runtime.GOMAXPROCS(0), cfg.Classes, 8)
	type job struct {
		ci  int
		out chan *batch // the class's chunks, in order, then closed
	}
	order := make(chan job, 2*workers)
	jobs := make(chan job)
	free := make(chan *batch, 8*workers)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1 + workers)
	go func() {
		defer wg.Done()
		defer close(jobs)
		defer close(order)
		for ci := range cfg.Classes {
			j := job{ci, make(chan *batch, 2)}
			select {
			case order <- j:
			case <-done:
				return
			}
			select {
			case jobs <- j:
			case <-done:
				return
			}
		}
	}()
	for range workers {
		go func() {
			defer wg.Done()
			g := &generator{shared: sh, seen: make([]uint32, len(sh.vocab))}
			for j := range jobs {
				g.class(j.ci, func() *batch {
					select {
					case b := <-free:
						return b
					default:
						return new(batch)
					}
				}, func(b *batch) bool {
					select {
					case j.out <- b:
						return true
					case <-done:
						return false
					}
				})
				close(j.out)
			}
		}()
	}

	// Chunks are read class by class, in order. After an error of emit,
	// closing done releases every worker waiting to hand over a chunk.
	var planted []Planted
	var rec prime.Record
	var strs []string
	for j := range order {
		for b := range j.out {
			planted = append(planted, b.planted...)
			for i := 0; err == nil && i < len(b.pred); i++ {
				strs = strs[:0]
				for _, t := range b.tags[b.tagEnd[i]:b.tagEnd[i+1]] {
					strs = append(strs, sh.vocab[t])
				}
				rec = prime.Record{ID: b.ids[b.idEnd[i]:b.idEnd[i+1]], Label: b.label, Predicted: b.pred[i], Tags: strs}
				err = emit(&rec)
			}
			select {
			case free <- b:
			default:
			}
			if err != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	close(done)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	slices.SortFunc(planted, func(a, b Planted) int {
		if a.Label != b.Label {
			return strings.Compare(a.Label, b.Label)
		}
		if len(a.Tags) != len(b.Tags) {
			return len(a.Tags) - len(b.Tags)
		}
		return slices.Compare(a.Tags, b.Tags)
	})
	return planted, nil
}

// A batch is a chunk of the records of one class, drawn by a worker,
// waiting to be emitted; the last chunk of a class holds its planted modes.
type batch struct {
	label   string
	ids     string  // every record's id, end to end
	idEnd   []int32 // record i's id is ids[idEnd[i]:idEnd[i+1]]
	tags    []int32 // tag numbers, sorted within each record
	tagEnd  []int32 // record i's tags are tags[tagEnd[i]:tagEnd[i+1]]
	pred    []string
	planted []Planted
}

// shared is what every class's drawing reads.
type shared struct {
	cfg    Config
	vocab  []string // the effective vocabulary, sorted
	names  []string // class names
	nameAt []int32  // index in vocab of each class's name, or -1
	digits [2]int   // widths of the class and record numbers in ids
}

// generator draws classes, with buffers reused class to class. Each worker
// has its own.
type generator struct {
	*shared
	perm   []int32
	pool   []int32
	alias  alias
	topics [][]int32
	topicW []float64 // cumulative weights of topics
	slots  []slot
	seen   []uint32
	stamp  uint32
	tags   []int32
	id     []byte
}

type slot struct {
	group   int32 // index into the class's groups, -1 for the background
	correct bool
}

// group is the records of a class carrying exactly the tags mask (bits
// over the tags of mode) of one planted mode.
type group struct {
	mode int
	mask uint8
}

// mode is the layout of one planted mode: nS records carrying all of tags,
// eS of them wrong; for two or three tags, m records carrying each largest
// proper subset alone, em of each wrong.
type mode struct {
	tags   []int32
	nS, eS int
	m, em  int
}

func (md *mode) size() int {
	if len(md.tags) == 1 {
		return md.nS
	}
	return md.nS + len(md.tags)*md.m
}

// splitmix mixes x into a well-spread 64-bit value.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func newShared(cfg Config) *shared {
	rng := rand.New(rand.NewPCG(cfg.Seed, splitmix(0)))
	vocab := cfg.Vocabulary
	if cfg.VocabularySize > len(vocab) {
		vocab = madeUp(vocab, cfg.VocabularySize)
	}
	if cfg.VocabularySize > 0 && cfg.VocabularySize < len(vocab) {
		keep := rng.Perm(len(vocab))[:cfg.VocabularySize]
		slices.Sort(keep)
		v := make([]string, len(keep))
		for i, k := range keep {
			v[i] = vocab[k]
		}
		vocab = v
	}
	// Tags are numbered in sorted order, so that sorting a record's tag
	// numbers sorts its tags.
	vocab = slices.Clone(vocab)
	slices.Sort(vocab)
	g := &shared{cfg: cfg, vocab: vocab}
	g.names = make([]string, cfg.Classes)
	g.nameAt = make([]int32, cfg.Classes)
	g.digits = [2]int{len(strconv.Itoa(cfg.Classes - 1)), len(strconv.Itoa(cfg.MaxRecords - 1))}
	if cfg.Classes <= len(vocab)/2 {
		// Real-looking names: tags of the vocabulary, each class's own
		// name its most popular tag.
		for ci, i := range rng.Perm(len(vocab))[:cfg.Classes] {
			g.names[ci] = vocab[i]
			g.nameAt[ci] = int32(i)
		}
	} else {
		for ci := range g.names {
			g.names[ci] = fmt.Sprintf("class_%0*d", max(4, g.digits[0]), ci)
			g.nameAt[ci] = -1
		}
	}
	return g
}

// madeUp returns vocab followed by made-up tags "tag 00001", ..., none of
// them in vocab, up to size tags.
func madeUp(vocab []string, size int) []string {
	have := make(map[string]bool, len(vocab))
	for _, t := range vocab {
		have[t] = true
	}
	out := slices.Grow(slices.Clone(vocab), size-len(vocab))
	width := len(strconv.Itoa(size))
	for i := 1; len(out) < size; i++ {
		if t := fmt.Sprintf("tag %0*d", width, i); !have[t] {
			out = append(out, t)
		}
	}
	return out
}

// chunk is the most records in a batch.
const chunk = 4096

// class lays out class ci and draws its records into batches from next,
// handed to send in order, the last one with the class's planted modes.
// It stops when send returns false.
func (g *generator) class(ci int, next func() *batch, send func(*batch) bool) {
	cfg := &g.cfg
	rng := rand.New(rand.NewPCG(cfg.Seed, splitmix(uint64(ci)+1)))
	n := cfg.MinRecords + rng.IntN(cfg.MaxRecords-cfg.MinRecords+1)
	acc := cfg.MinAccuracy + rng.Float64()*(cfg.MaxAccuracy-cfg.MinAccuracy)

	// The class's tags: its planted tags first, then its pool, led by the
	// class's own name when that is a tag.
	g.perm = g.perm[:0]
	for i := range g.vocab {
		if int32(i) != g.nameAt[ci] {
			g.perm = append(g.perm, int32(i))
		}
	}
	np := plantedTags(cfg.Modes)
	poolSize := min(len(g.vocab)-np, max(400+rng.IntN(601), 2*cfg.MaxTags))
	for i := range min(len(g.perm), np+poolSize) {
		j := i + rng.IntN(len(g.perm)-i)
		g.perm[i], g.perm[j] = g.perm[j], g.perm[i]
	}
	plantedIdx := g.perm[:np]
	g.pool = g.pool[:0]
	if g.nameAt[ci] >= 0 {
		g.pool = append(g.pool, g.nameAt[ci])
	}
	g.pool = append(g.pool, g.perm[np:np+poolSize-len(g.pool)]...)

	// Skewed popularity over the pool and co-occurring topics.
	skew := 0.9 + 0.3*rng.Float64()
	if cfg.Skew > 0 {
		skew = cfg.Skew
	}
	g.alias.zipf(len(g.pool), skew)
	g.makeTopics(rng)

	modes := g.plan(ci, n, acc, plantedIdx, rng)

	// Slots: the planted groups, then the background; errors counted
	// exactly in each group (and in the background unless Null), then
	// shuffled.
	g.slots = g.slots[:0]
	var groups []group
	used := 0
	for j := range modes {
		md := &modes[j]
		k := len(md.tags)
		full := uint8(1)<<k - 1
		g.addGroup(&groups, group{j, full}, md.nS, md.eS)
		if k > 1 {
			for i := range k {
				g.addGroup(&groups, group{j, full &^ (1 << i)}, md.m, md.em)
			}
		}
		used += md.size()
	}
	bg := n - used
	if cfg.Null {
		for range bg {
			g.slots = append(g.slots, slot{-1, rng.Float64() < acc})
		}
	} else {
		g.addSlots(-1, bg, int(math.Round(float64(bg)*(1-acc))))
	}
	rng.Shuffle(len(g.slots), func(i, j int) { g.slots[i], g.slots[j] = g.slots[j], g.slots[i] })

	// Records wrongly predicted go to one of a few confusable classes.
	var confusers [3]string
	for i := range confusers {
		if cfg.Classes == 1 {
			confusers[i] = "other"
		} else {
			o := rng.IntN(cfg.Classes - 1)
			if o >= ci {
				o++
			}
			confusers[i] = g.names[o]
		}
	}
	nconf := 1 + rng.IntN(3)

	name := g.names[ci]
	var b *batch
	start := func() {
		b = next()
		b.label = name
		b.idEnd = append(b.idEnd[:0], 0)
		b.tagEnd = append(b.tagEnd[:0], 0)
		b.tags = b.tags[:0]
		b.pred = b.pred[:0]
		b.planted = nil
		g.id = g.id[:0]
	}
	start()
	for ri, s := range g.slots {
		g.tags = g.tags[:0]
		g.stamp++
		if g.stamp == 0 {
			clear(g.seen)
			g.stamp = 1
		}
		t := g.tagCount(rng)
		if s.group >= 0 {
			gr := groups[s.group]
			mt := modes[gr.mode].tags
			for i, tag := range mt {
				if gr.mask&(1<<i) != 0 {
					g.add(tag)
				}
			}
			if gr.mask == 1<<len(mt)-1 {
				g.fillSpread(rng, t, plantedIdx)
			} else {
				g.fillUniform(rng, t)
			}
		} else {
			g.fillBackground(rng, t)
		}
		slices.Sort(g.tags)
		b.tags = append(b.tags, g.tags...)
		b.tagEnd = append(b.tagEnd, int32(len(b.tags)))
		g.id = append(g.id, 'c')
		g.id = appendPadded(g.id, ci, g.digits[0])
		g.id = append(g.id, '_')
		g.id = appendPadded(g.id, ri, g.digits[1])
		b.idEnd = append(b.idEnd, int32(len(g.id)))
		pred := name
		if !s.correct {
			pred = confusers[rng.IntN(nconf)]
		}
		b.pred = append(b.pred, pred)
		if len(b.pred) == chunk && ri < len(g.slots)-1 {
			b.ids = string(g.id)
			if !send(b) {
				return
			}
			start()
		}
	}
	b.ids = string(g.id)

	b.planted = make([]Planted, len(modes))
	for j, md := range modes {
		tags := make([]string, len(md.tags))
		for i, t := range md.tags {
			tags[i] = g.vocab[t]
		}
		slices.Sort(tags)
		b.planted[j] = Planted{Label: name, Tags: tags, N: md.nS, Correct: md.nS - md.eS,
			Accuracy: float64(md.nS-md.eS) / float64(md.nS)}
	}
	send(b)
}

// tagCount draws a record's number of tags in [MinTags, MaxTags], skewed
// to the right as a tagger's thresholds make it: most records carry few
// tags, some many (MinTags + ⌊(MaxTags−MinTags+1)·u³⌋; for 10 to 25 the
// mean is 13.5).
func (g *generator) tagCount(rng *rand.Rand) int {
	u := rng.Float64()
	return g.cfg.MinTags + int(float64(g.cfg.MaxTags-g.cfg.MinTags+1)*u*u*u)
}

func (g *generator) addGroup(groups *[]group, gr group, n, wrong int) {
	g.addSlots(int32(len(*groups)), n, wrong)
	*groups = append(*groups, gr)
}

func (g *generator) addSlots(gid int32, n, wrong int) {
	for i := range n {
		g.slots = append(g.slots, slot{gid, i >= wrong})
	}
}

func appendPadded(b []byte, v, width int) []byte {
	var d [20]byte
	s := strconv.AppendInt(d[:0], int64(v), 10)
	for range width - len(s) {
		b = append(b, '0')
	}
	return append(b, s...)
}

// add adds tag to the record's tags unless it is there already.
func (g *generator) add(tag int32) bool {
	if g.seen[tag] == g.stamp {
		return false
	}
	g.seen[tag] = g.stamp
	g.tags = append(g.tags, tag)
	return true
}

// fillUniform tops the record's tags up to t with tags of the pool drawn
// uniformly: the tags of records that carry some of a planted set's tags,
// so that no tag of the pool goes with a planted tag often.
func (g *generator) fillUniform(rng *rand.Rand, t int) {
	for tries := 0; len(g.tags) < t; tries++ {
		if tries > 8*t {
			g.fillScan(t)
			return
		}
		g.add(g.pool[rng.IntN(len(g.pool))])
	}
}

// fillSpread tops the record's tags up to t with tags of the whole
// vocabulary but planted, drawn uniformly: the tags of records that carry a
// whole planted set, so that their errors spread thin over many tags
// instead of lowering the accuracy of the class's own.
func (g *generator) fillSpread(rng *rand.Rand, t int, planted []int32) {
	for tries := 0; len(g.tags) < t; tries++ {
		if tries > 8*t {
			g.fillScan(t)
			return
		}
		if tag := int32(rng.IntN(len(g.vocab))); !slices.Contains(planted, tag) {
			g.add(tag)
		}
	}
}

// fillBackground draws the record's tags from the class's topics and its
// skewed popularity.
func (g *generator) fillBackground(rng *rand.Rand, t int) {
	topic := func() {
		top := g.topics[searchCum(g.topicW, rng.Float64())]
		for _, tag := range top {
			if len(g.tags) < t && rng.Float64() < 0.75 {
				g.add(tag)
			}
		}
	}
	switch c := g.cfg.Cluster; {
	case c > 0:
		for len(g.tags) < t && rng.Float64() < c {
			topic()
		}
	case c == 0:
		u := rng.Float64()
		nt := 0
		switch {
		case u < 0.5:
			nt = 1
		case u < 0.7:
			nt = 2
		}
		for range nt {
			topic()
		}
	}
	for tries := 0; len(g.tags) < t; tries++ {
		if tries > 8*t {
			g.fillScan(t)
			return
		}
		g.add(g.pool[g.alias.draw(rng.Uint64())])
	}
}

// fillScan tops the tags up from the pool in order of popularity, for the
// rare record whose draws keep hitting tags it has.
func (g *generator) fillScan(t int) {
	for _, tag := range g.pool {
		if len(g.tags) >= t {
			return
		}
		g.add(tag)
	}
}

func searchCum(cum []float64, u float64) int {
	u *= cum[len(cum)-1]
	i, _ := slices.BinarySearch(cum, u)
	return min(i, len(cum)-1)
}

// makeTopics draws 10 to 30 topics of TopicSize/2 to TopicSize tags among
// the class's 150 most popular, with Zipf-like popularity.
func (g *generator) makeTopics(rng *rand.Rand) {
	nt := 10 + rng.IntN(21)
	head := min(len(g.pool), 150)
	for len(g.topics) < nt {
		g.topics = append(g.topics, nil)
	}
	g.topics = g.topics[:nt]
	g.topicW = g.topicW[:0]
	sum := 0.0
	for i := range g.topics {
		lo := g.cfg.TopicSize / 2
		size := min(lo+rng.IntN(g.cfg.TopicSize-lo+1), head-1)
		top := g.topics[i][:0]
		for len(top) < size {
			tag := g.pool[1+rng.IntN(head-1)]
			if !slices.Contains(top, tag) {
				top = append(top, tag)
			}
		}
		g.topics[i] = top
		sum += 1 / float64(i+1)
		g.topicW = append(g.topicW, sum)
	}
}

// plan lays out the planted modes of a class of n records at background
// accuracy acc, with tags taken from tags, and returns those that fit.
func (g *generator) plan(ci, n int, acc float64, tags []int32, rng *rand.Rand) []mode {
	cfg := &g.cfg
	if cfg.Modes == 0 {
		return nil
	}
	subErr := (1 - acc) / 4
	budget := int(budgetShare * float64(n))
	var modes []mode
	used, next := 0, 0
	for j := range cfg.Modes {
		k := modeSize(ci, j)
		mt := tags[next : next+k : next+k]
		next += k
		nS := cfg.MinModeSize + rng.IntN(cfg.MaxModeSize-cfg.MinModeSize+1)
		accS := cfg.MinModeAccuracy + rng.Float64()*(cfg.MaxModeAccuracy-cfg.MinModeAccuracy)
		if k > cfg.MaxTags {
			continue
		}
		for _, ns := range []int{nS, cfg.MinModeSize} {
			md := newMode(mt, ns, accS, acc, subErr)
			if used+md.size() <= budget {
				modes = append(modes, md)
				used += md.size()
				break
			}
		}
	}
	// Grow the subsets' records until every condition holds; drop a mode
	// that cannot be made to fit.
	for range 100_000 {
		j, grow := failing(modes, n, acc)
		if j < 0 {
			break
		}
		md := &modes[j]
		if grow {
			old, m, em := md.size(), md.m, md.em
			md.m += max(1, md.m/32)
			md.em = int(math.Round(float64(md.m) * subErr))
			if used-old+md.size() <= budget {
				used += md.size() - old
				continue
			}
			md.m, md.em = m, em
		}
		used -= md.size()
		modes = slices.Delete(modes, j, j+1)
	}
	return modes
}

func newMode(tags []int32, nS int, accS, acc, subErr float64) mode {
	md := mode{tags: tags, nS: nS, eS: int(math.Round(float64(nS) * (1 - accS)))}
	if len(tags) > 1 {
		// Smallest m for which a largest proper subset's drop is at most
		// subsetDrop, were the rest of the class at acc.
		cS := float64(md.nS - md.eS)
		num := acc*float64(nS) - cS - subsetDrop*float64(nS)
		den := subsetDrop + (1 - subErr) - acc
		md.m = max(10, int(math.Ceil(num/den)))
		md.em = int(math.Round(float64(md.m) * subErr))
	}
	return md
}

// failing checks the layout of a class of n records whose background (the
// records outside modes) has accuracy acc exactly, as Generate assigns it.
// It returns the first mode that fails and whether growing its subsets'
// records may mend it, or -1.
func failing(modes []mode, n int, acc float64) (int, bool) {
	used, correct := 0, 0
	for i := range modes {
		md := &modes[i]
		used += md.size()
		correct += md.nS - md.eS
		if len(md.tags) > 1 {
			correct += len(md.tags) * (md.m - md.em)
		}
	}
	bg := n - used
	if bg < 0 {
		return 0, false
	}
	correct += bg - int(math.Round(float64(bg)*(1-acc)))
	ac := float64(correct) / float64(n)
	stats := func(md *mode, t uint8) (nt, ct int) {
		k := len(md.tags)
		nt, ct = md.nS, md.nS-md.eS
		if k > 1 {
			out := k - popcount(t)
			nt += out * md.m
			ct += out * (md.m - md.em)
		}
		return nt, ct
	}
	drop := func(nt, ct int) float64 {
		ar := ac
		if nt < n {
			ar = float64(correct-ct) / float64(n-nt)
		}
		return ar - float64(ct)/float64(nt)
	}
	for j := range modes {
		md := &modes[j]
		k := len(md.tags)
		full := uint8(1)<<k - 1
		nS, cS := stats(md, full)
		aS := float64(cS) / float64(nS)
		if drop(nS, cS) < plantedDrop {
			return j, false
		}
		for t := uint8(1); t < full; t++ {
			nt, ct := stats(md, t)
			if float64(ct)/float64(nt)-aS < plantedMarginal || drop(nt, ct) > subsetDrop {
				return j, true
			}
		}
	}
	return -1, false
}

func popcount(x uint8) int {
	c := 0
	for ; x != 0; x &= x - 1 {
		c++
	}
	return c
}

// alias is Vose's alias table for drawing an index with given weights in
// O(1).
type alias struct {
	prob  []float64
	alias []int32
	small []int32
	large []int32
	w     []float64
}

// zipf builds the table for weights 1/(i+1)^s, i < n.
func (a *alias) zipf(n int, s float64) {
	a.w = a.w[:0]
	sum := 0.0
	for i := range n {
		w := math.Pow(float64(i+1), -s)
		a.w = append(a.w, w)
		sum += w
	}
	a.prob = slices.Grow(a.prob[:0], n)[:n]
	a.alias = slices.Grow(a.alias[:0], n)[:n]
	a.small, a.large = a.small[:0], a.large[:0]
	for i := range a.w {
		a.w[i] *= float64(n) / sum
		if a.w[i] < 1 {
			a.small = append(a.small, int32(i))
		} else {
			a.large = append(a.large, int32(i))
		}
	}
	for len(a.small) > 0 && len(a.large) > 0 {
		l := a.small[len(a.small)-1]
		a.small = a.small[:len(a.small)-1]
		h := a.large[len(a.large)-1]
		a.prob[l] = a.w[l]
		a.alias[l] = h
		a.w[h] -= 1 - a.w[l]
		if a.w[h] < 1 {
			a.large = a.large[:len(a.large)-1]
			a.small = append(a.small, h)
		}
	}
	for _, i := range a.large {
		a.prob[i], a.alias[i] = 1, i
	}
	for _, i := range a.small {
		a.prob[i], a.alias[i] = 1, i
	}
}

// draw returns an index from 64 random bits.
func (a *alias) draw(r uint64) int {
	i := int((r >> 32) * uint64(len(a.prob)) >> 32)
	if float64(uint32(r))*(1.0/(1<<32)) < a.prob[i] {
		return i
	}
	return int(a.alias[i])
}
