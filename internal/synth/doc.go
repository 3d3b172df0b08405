// Package synth generates records files with planted failure modes, for
// trying the mining's settings, for its tests and for its benchmarks.
//
// Generate streams the records of every class to a callback and returns the
// planted tag sets. Each class draws its tags from its own skewed (Zipf-like)
// distribution over a class-specific subset of the vocabulary, with tag
// "topics" that co-occur; the vocabulary defaults to the 4,585 tags of the
// Recognize Anything Model (RAM), embedded from ram/ram_tag_list.txt, and
// grows past it with made-up tags (Config.VocabularySize).
//
// # Co-occurrence
//
// Three settings shape which tags go together, and so how many tag sets a
// search must count: Config.Cluster (how many topics a record draws),
// Config.TopicSize (how many tags a topic holds) and Config.Skew (how
// steeply tag popularity falls), besides the tags per record (MinTags,
// MaxTags). At ImageNet scale (1000 classes of 1300 records, 10 to 25 tags
// per record) a level-wise search at s = 30, k = 3 counts 4.6 million tag
// sets by default, 3.6 million without topics (Cluster −1) and 6.0 million
// with Cluster 0.9 and TopicSize 12; Skew 2 makes 1.8 million of the sets
// frequent, against 0.46 million by default; 20 to 40 tags per record make
// 48 million sets to count. BenchmarkAnalyze in package prime mines these
// workloads.
//
// # Planted failure modes
//
// A planted set T of one, two or three tags is carried only by records laid
// out for it: the records carrying all of T (at least MinModeSize of them, at
// an accuracy in [MinModeAccuracy, MaxModeAccuracy]) and, for two or three
// tags, as many records carrying each largest proper subset of T alone,
// classified well. Error counts are exact within each of these groups and in
// the rest of the class, so whether T and its subsets meet the failure-mode
// definition is decided when the class is laid out, not left to chance:
// with the definition's default values (s = 30, a = 0.2, b = 0.05) every
// planted T is a failure mode with a margin (its drop is at least 0.25, each
// proper subset is at least 0.1 more accurate), and no proper subset of T is
// one (each has a drop of at most 0.15). Planted tags appear in no other
// record of the class. The other tags of the records carrying part of a
// planted set are drawn uniformly from the class's pool of several hundred
// tags, and those of the records carrying all of it from the whole
// vocabulary, so that no tag goes with a planted tag, or with the planted
// errors, often enough to form a mode of its own: at ImageNet scale (1000
// classes of 1300 records) mining at the default settings finds the 2,978
// planted modes and 2 others.
//
// With Config.Null no set is planted and each record is wrong independently
// with its class's error rate: any failure mode mined from such a file is a
// false discovery.
package synth
