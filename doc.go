// Package prime finds the failure modes of an image classifier and names
// them in human words.
//
// It implements PRIME (Rezaei, Saberi, Moayeri, Feizi, "PRIME: Prioritizing
// Interpretability in Failure Mode Extraction", ICLR 2024): every image is
// tagged with human-understandable concepts, then each class is searched
// for small, minimal sets of tags whose images the classifier gets wrong far
// more often than the rest of the class ("fox" + "black" + "branch" +
// "hang": 41.9% accuracy, against 86.2% on the other foxes), and each set
// found gets honest statistics: bootstrap confidence intervals, an exact
// test and false-discovery control.
//
// The work has two halves. Run drives images through a Tagger and the
// Classifier under test and yields a Record per image; Analyze mines
// Records into a Report. A caller that already has tags and predictions,
// computed elsewhere, calls Analyze directly, or reads them from a JSON
// Lines file with ReadDataset.
//
// # The failure-mode definition
//
// For each class c separately, let D_c be its records and A_c their
// accuracy. For a set T of 1 to k tags, S(T) are the records of D_c that
// carry every tag of T, n_T = |S(T)|, A_T their accuracy, and A_R(T) the
// accuracy of the rest of the class (A_c when S(T) is the whole class). T is
// a failure mode of c when
//
//  1. n_T ≥ s (Options.MinSize, 30);
//  2. A_R(T) − A_T ≥ a (Options.MinDrop, 0.2), or A_c − A_T ≥ a with
//     Options.Baseline set to BaselineClass;
//  3. A_T' − A_T ≥ b (Options.MinMarginalDrop, 0.05) for every proper
//     non-empty subset T' of T: every tag matters.
//
// The conditions are decided exactly, in integers: the decimal 0.2 is the
// rational 1/5, and a drop of exactly 0.2 counts.
//
// # Statistics
//
// Each tag set that met the size condition, in every class, gets two
// one-sided p-values: Fisher's exact test that errors are more frequent in
// S(T) than in the rest of the class (the drop exceeds 0), and the
// Miettinen–Nurminen score test that they are more frequent by more than a
// (the drop exceeds Options.MinDrop). Each family is turned into q-values
// by Options.Correction, Benjamini–Hochberg by default (package stats says
// what each correction assumes). Only modes with q ≤ Options.FDR (0.05)
// are reported; FDR = 1 gives the paper's definition exactly. A mode whose
// second q-value is at most FDR (0.05 when FDR is 1) is marked Confident:
// its drop exceeds a with confidence, under false-discovery control over
// all the sets tested, which an interval's lower end would not give;
// Options.Confident keeps only those.
//
// Each mode gets confidence intervals for its accuracy and its drop by
// Options.Interval, the percentile bootstrap by default, seeded by
// Options.Seed: the same input and seed give the same Report.
//
// Neither the intervals nor the q-values allow for the search that chose
// the modes: computed on the data that selected them, the modes that
// looked most extreme look better than they are. Report.Validate (prime
// mine -split or -validate) re-measures them on records that were not
// mined.
//
// # Writing a Tagger
//
// A Tagger is any type with the method
//
//	Tag(ctx context.Context, img image.Image) ([]prime.Tag, error)
//
// It should be safe for concurrent use and deterministic, return only tags
// of its vocabulary, leave the returned slice to the caller, and return an
// error wrapping ctx.Err() once ctx is cancelled. A domain tagger (chest
// X-ray findings, defect types, weather) can be a few lines of Go.
// primetest.RunTagger (package primetest) checks the rules in the
// tagger's own tests, and primetest.MapTagger is a fake to start from; the
// package tagger has an ONNX tagger and one that reads precomputed tags.
// A tagger that answers from an image's id rather than its pixels, as that
// one does, implements IDTagger (and a classifier IDClassifier): Run then
// passes it the id, and decodes no image that no plug-in needs.
//
// # Scores kept
//
// Inference is the expensive part of a run, and a tagger's thresholds are
// a choice (the Recognize Anything Model tunes one per tag, most at 0.65):
// so that the tags can be decided again at other thresholds without
// running the tagger again, and the classifier's confidence studied, a
// Record may keep the models' scores. TagScores holds the tagger's score
// of every tag of Tags and of every other tag that scored above TagFloor,
// those below their threshold too; PredScores the classifier's highest
// scores. Run keeps them: of a tagger that is a ScoreFloorer (tagger.ONNX
// with ONNXOptions.ScoreFloor returns the tags below their threshold down
// to that floor, marked Below), and of a classifier that gives Scores and
// names them with a Labels method, the RunOptions.PredScores highest (5,
// ImageNet's top 5; all of them on request). Rethreshold and
// Dataset.Rethreshold decide the tags again at Thresholds (one for every
// tag, or RAM's threshold file), exactly as the tagger would have from the
// same scores, for any threshold no lower than the floor; a lower one is
// refused, since a tag not kept may have scored between the two. The
// command does the same: prime run -tag-floor (0.2) and -pred-scores (5),
// prime mine -threshold or -thresholds.
//
// In a records file they are the members "tag_scores", "tag_floor" and
// "pred_scores" (see RecordReader), which records without scores lack and
// readers that do not know them skip. What they cost, measured on records
// like ImageNet's validation set through RAM (15 tags of RAM's vocabulary
// a record, WordNet ids as classes; BenchmarkScoresSize and
// BenchmarkScoresRead in package recordfile):
//
//	                                  JSON Lines  zstd   Parquet   bytes a record
//	no scores                           305        56      44
//	the 15 tags' own scores             669       196     139
//	each more tag score (below)         +21.7     +8.5    +5.7
//	the top 5 class scores              +134      +52     +28
//	all 1000 class scores            +26,194   +8,319  +5,266
//
// A Dataset holds 8.6 bytes a tag score more (records without scores:
// nothing more), and reads records with 40 tag scores at 161 MB (130,000
// records) per CPU second, against 262 MB (830,000 records) without;
// Dataset.Rethreshold decides 1.3 million records a CPU second again.
// prime run says how many scores it kept a record: RAM's number of tags
// above a floor depends on the images, and is the figure to multiply.
//
// # Past one machine
//
// At scale the expensive part is inference, tagging and classifying every
// image, which runs where the models already run (Spark, Ray, a GPU
// cluster). Have that job write one row per image, with columns id, label,
// pred (or correct) and tags (a list of strings), as Parquet or JSON Lines,
// in part files, partitioned by label or not; package recordfile reads them
// all into one Dataset, and prime mine reads them from a folder. Package
// recordfile's documentation gives the schema and a worked example; the
// README gives what one machine mines in what time and memory: 13 million
// records (1000 classes of 13,000) in about half a minute and 3.4 GB on
// two cores, the limit being memory, about 260 bytes a record at the peak.
//
// # Packages
//
// Package prime holds the data model, Run, Analyze, the Report and its
// text, Markdown, JSON and JSON Lines output, and imports little beyond
// gonum and bitset, so that a go test that gates on failure modes stays
// light. Beside it: htmlreport writes the HTML report; recordfile reads
// records files at scale (Parquet, gzip and zstd JSON Lines, folders of
// part files) into a Dataset; tagger and
// classifier hold the ONNX and precomputed plug-ins, preprocess their
// image preprocessing; primetest checks any Tagger or Classifier and
// holds fakes of both; mining and stats are the search and the
// statistics; the command prime (directory prime/) drives them all.
//
// # Asserting in tests
//
// Report.Err returns nil when no failure mode was found and otherwise an
// error listing every mode, so a test that fails when a failure mode
// appears is
//
//	report, err := prime.Analyze(ctx, records, nil)
//	require.NoError(t, err)
//	require.NoError(t, report.Err())
package prime
