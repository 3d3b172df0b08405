// Package recordfile reads records files at scale into a prime.Dataset:
// JSON Lines, plain or compressed with gzip or zstd, and Parquet, one file
// or many (a folder, a glob pattern, the part files and hive-style
// partitions that Spark, DuckDB, Ray and pandas write), decoded in
// parallel. It writes Parquet too (ParquetWriter). It is a package of its
// own so that package prime, which reads JSON Lines (prime.ReadDataset),
// stays light: the Parquet library (github.com/parquet-go/parquet-go) and
// the decompressors (github.com/klauspost/compress) come in only with it.
// The command prime reads its inputs through it.
//
// A file's format is told by its first bytes, never by its name (see
// Detect): "PAR1" is Parquet, 1f 8b gzip, 28 b5 2f fd zstd, anything else
// JSON Lines.
//
// # The Parquet schema
//
// ReadDataset reads, by name, these top-level columns, and ignores any
// other:
//
//	id       string, required           unique across all the files read
//	label    string                     the true class; may instead come from a label=NAME folder
//	pred     string, nullable           the predicted class
//	correct  boolean, nullable          stands for pred where pred is null; must agree with it when both are set
//	tags     list of strings, nullable  the tagger's tags (null or empty: none); or a list of
//	                                    structs whose string field "name" is the tag (a score beside it is ignored)
//	image    string, nullable           the image's path, relative to the file, or absolute
//
// and, optional, the scores a record keeps (see prime.Record and the
// package prime's documentation):
//
//	tag_floor    float or double, nullable   every tag not in tag_scores scored at most this
//	tag_scores   list of {name: string, score: float or double},
//	             or map of string to float or double, nullable
//	                                         the tagger's score of every tag of tags and of every
//	                                         other tag above tag_floor
//	pred_scores  as tag_scores               the classifier's highest scores
//
// A record keeps tag scores when its tag_floor is set or its tag_scores
// not empty, with the floor 1 when tag_floor is null (as JSON Lines
// "tag_scores" without "tag_floor"); Options.Thresholds decides the tags
// again from them. A pandas or Spark job writes them as a column of lists
// of dicts or structs, or of dicts as a map type.
//
// Strings are Parquet BYTE_ARRAY columns (Spark's StringType, DuckDB's
// VARCHAR, Arrow's string or dictionary of strings), in any encoding the
// format defines, compressed with Snappy (Spark's and DuckDB's default),
// zstd, gzip or Brotli, or not at all; LZ4 is refused, because the Parquet
// library decodes some LZ4 pages wrongly. Integer labels or ids are
// refused too: cast them to strings in the job that writes the file.
// ParquetWriter writes this schema.
//
// # Writing records from a cluster job
//
// The expensive part of PRIME is inference: tagging and classifying every
// image, which runs wherever the models already run (Spark, Ray or a GPU
// cluster). prime mines its output on one machine. Write one row per image
// with the columns above, as Parquet, partitioned or not; prime reads the
// folder the job writes. In PySpark:
//
//	(df.select("id", "label", "pred", "tags")      # tags: array<string>
//	   .repartition(64)                            # or .write.partitionBy("label")
//	   .write.mode("overwrite").parquet("s3://bucket/run-42/records"))
//
// then, with the folder copied or mounted locally:
//
//	prime mine -format html -o report.html run-42/records
//
// In DuckDB:
//
//	COPY (SELECT id, label, pred, tags FROM predictions)
//	TO 'records' (FORMAT parquet, PARTITION_BY (label));
//
// With Ray Data, ds.write_parquet("records") on a dataset with those
// columns; with pandas, df.to_parquet("records.parquet") where tags holds
// lists of strings. Partitioning by label (hive-style label=NAME folders,
// the name URL-escaped) is read as the label column; other partition
// columns (date=...) are ignored. Files and folders whose names start
// with "_" or "." (_SUCCESS, .crc files) are skipped. Any number of part
// files is fine; row groups of about a hundred thousand rows (Spark's and
// DuckDB's defaults give such) let the reader decode them in parallel.
//
// # What one machine reads
//
// On this repository's 2-core test machine, prime synth's ImageNet-scale
// workload (1000 classes of 1,300 records, 17.7 million tags) takes 0.48 s
// of processor time from Parquet (39 MB), 2.7 million records a
// processor-second, and 1.37 s from JSON Lines (282 MB), 206 MB a
// processor-second, the parsing of package prime's JSON Lines scanner;
// gzip takes 1.7 times that processor time, zstd 1.3 times, decompressed
// on a goroutine beside the parsers (BenchmarkRead). Memory holds
// the Dataset, a few units of work and, while the Dataset is built, its
// records a second time: about 260 bytes a record at the peak of reading
// and mining 13 million records. The README's "Past one machine" gives
// whole runs of prime mine.
package recordfile
