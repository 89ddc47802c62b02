package io.warden.clinical.internal;

import io.warden.clinical.IndexKind;
import io.warden.clinical.SearchHit;
import io.warden.clinical.VectorIndex;
import io.warden.clinical.VectorRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene103.Lucene103Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.IndexableField;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.VectorUtil;

/**
 * Approximate search on Apache Lucene 10's HNSW graph (dot-product similarity over unit vectors), with
 * metadata as keyword fields that filter during the graph search. One Lucene index per collection
 * version, force-merged to one segment after building so a search walks one graph.
 */
final class LuceneHnswIndex implements VectorIndex, AutoCloseable {

    static final String VECTOR = "vector";
    static final String ID = "id";
    static final String META = "m.";

    private final String name;
    private final long version;
    private final int dimension;
    private final Directory directory;
    private final DirectoryReader reader;
    private final IndexSearcher searcher;
    private final int candidates;
    private final boolean quantized;

    private LuceneHnswIndex(
            String name, long version, int dimension, Directory directory, int candidates, boolean quantized)
            throws IOException {
        this.name = name;
        this.version = version;
        this.dimension = dimension;
        this.directory = directory;
        this.reader = DirectoryReader.open(directory);
        this.searcher = new IndexSearcher(reader);
        this.candidates = candidates;
        this.quantized = quantized;
    }

    /**
     * Builds the index with one indexing thread per core (each fills its own segment's graph), then merges
     * the segments into one, the merge's graph work spread over the same threads.
     */
    static void build(Path folder, List<VectorRecord> records, int maxConnections, int beamWidth, boolean quantized)
            throws IOException {
        int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), records.size() / 1000 + 1));
        ExecutorService workers = Executors.newFixedThreadPool(threads);
        try {
            KnnVectorsFormat format = quantized
                    ? new Lucene99HnswScalarQuantizedVectorsFormat(
                            maxConnections, beamWidth, threads, 7, false, null, threads > 1 ? workers : null)
                    : threads > 1
                            ? new Lucene99HnswVectorsFormat(maxConnections, beamWidth, threads, workers)
                            : new Lucene99HnswVectorsFormat(maxConnections, beamWidth);
            IndexWriterConfig config = new IndexWriterConfig()
                    .setCodec(new Lucene103Codec() {
                        @Override
                        public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                            return format;
                        }
                    })
                    .setRAMBufferSizeMB(512);
            try (Directory directory = FSDirectory.open(folder);
                    IndexWriter writer = new IndexWriter(directory, config)) {
                List<Future<?>> parts = new ArrayList<>();
                int slice = (records.size() + threads - 1) / threads;
                for (int t = 0; t < threads; t++) {
                    List<VectorRecord> part = records.subList(
                            Math.min(records.size(), t * slice), Math.min(records.size(), (t + 1) * slice));
                    parts.add(workers.submit(() -> {
                        for (VectorRecord record : part) {
                            writer.addDocument(document(record));
                        }
                        return null;
                    }));
                }
                for (Future<?> part : parts) {
                    part.get();
                }
                writer.forceMerge(1);
                writer.commit();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while building the index", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io
                        ? io
                        : new IOException("could not build the index", e.getCause());
            }
        } finally {
            workers.shutdownNow();
        }
    }

    private static Document document(VectorRecord record) {
        Document document = new Document();
        document.add(new KnnFloatVectorField(VECTOR, record.vector(), VectorSimilarityFunction.DOT_PRODUCT));
        document.add(new StringField(ID, record.id(), Field.Store.YES));
        record.metadata().forEach((key, value) -> document.add(new StringField(META + key, value, Field.Store.YES)));
        return document;
    }

    /**
     * @param candidates how many candidates the graph search collects before the best k are kept (HNSW's
     *                   "ef"): more raises recall and costs speed
     */
    static LuceneHnswIndex open(
            String name, long version, int dimension, Path folder, int candidates, boolean quantized)
            throws IOException {
        return new LuceneHnswIndex(name, version, dimension, FSDirectory.open(folder), candidates, quantized);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public long version() {
        return version;
    }

    @Override
    public int size() {
        return reader.numDocs();
    }

    @Override
    public IndexKind kind() {
        return quantized ? IndexKind.HNSW_INT8 : IndexKind.HNSW;
    }

    @Override
    public List<SearchHit> search(float[] query, int k, Map<String, String> filter) {
        Searches.check(name, dimension, query, k);
        Query restriction = null;
        if (!filter.isEmpty()) {
            BooleanQuery.Builder all = new BooleanQuery.Builder();
            filter.forEach(
                    (key, value) -> all.add(new TermQuery(new Term(META + key, value)), BooleanClause.Occur.FILTER));
            restriction = all.build();
        }
        try {
            int gathered = quantized ? Math.max(candidates, 3 * k) : Math.max(k, candidates);
            TopDocs top = searcher.search(
                    new KnnFloatVectorQuery(VECTOR, query, gathered, restriction), quantized ? gathered : k);
            ScoreDoc[] docs = quantized ? rescore(top.scoreDocs, query, k) : top.scoreDocs;
            StoredFields stored = searcher.storedFields();
            List<SearchHit> hits = new ArrayList<>(docs.length);
            for (ScoreDoc hit : docs) {
                Document document = stored.document(hit.doc);
                Map<String, String> metadata = new HashMap<>();
                for (IndexableField field : document.getFields()) {
                    if (field.name().startsWith(META)) {
                        metadata.put(field.name().substring(META.length()), field.stringValue());
                    }
                }
                // Lucene scores dot products of unit vectors as (1 + dot) / 2; rescored hits carry the dot itself
                hits.add(new SearchHit(
                        document.get(ID), quantized ? hit.score : 2 * hit.score - 1, Map.copyOf(metadata)));
            }
            return hits;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not search collection " + name, e);
        }
    }

    /** The best k candidates by their exact dot product with the full-precision vectors. */
    private ScoreDoc[] rescore(ScoreDoc[] candidates, float[] query, int k) throws IOException {
        List<LeafReaderContext> leaves = reader.leaves();
        ScoreDoc[] exact = new ScoreDoc[candidates.length];
        for (int i = 0; i < candidates.length; i++) {
            int doc = candidates[i].doc;
            var leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
            FloatVectorValues values = leaf.reader().getFloatVectorValues(VECTOR);
            // every document has a vector, so a document's ordinal in its segment is its segment-local id
            float[] vector = values.vectorValue(doc - leaf.docBase);
            exact[i] = new ScoreDoc(doc, VectorUtil.dotProduct(query, vector));
        }
        Arrays.sort(exact, (a, b) -> Float.compare(b.score, a.score));
        return Arrays.copyOf(exact, Math.min(k, exact.length));
    }

    @Override
    public void close() throws IOException {
        reader.close();
        directory.close();
    }
}
