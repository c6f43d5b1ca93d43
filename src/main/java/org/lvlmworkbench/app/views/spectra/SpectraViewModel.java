package org.lvlmworkbench.app.views.spectra;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.lvlmworkbench.app.session.CompressionSession;
import org.lvlmworkbench.app.session.Job;
import org.lvlmworkbench.app.session.ModelSession;
import org.lvlmworkbench.app.widgets.HeatmapData;
import org.lvlmworkbench.app.widgets.LineChartView;
import org.lvlmworkbench.app.widgets.Numbers;
import org.lvlmworkbench.app.widgets.ProbeSource;
import org.lvlmworkbench.core.analysis.spectra.CalibrationGrams;
import org.lvlmworkbench.core.analysis.spectra.MatrixSpectrum;
import org.lvlmworkbench.core.analysis.spectra.SpectraAnalysis;
import org.lvlmworkbench.core.analysis.spectra.SpectraCache;
import org.lvlmworkbench.core.analysis.spectra.WhitenedSpectrum;
import org.lvlmworkbench.core.loading.LoadedModel;

/**
 * State of the Spectra view: a row per linear weight of the model as its singular values arrive
 * (effective rank after Roy and Vetterli, stable rank, break-even rank, rank for 90 % of the energy),
 * the clicked weight's spectrum and energy curves (with the activation-whitened spectrum and its
 * truncation loss when calibration ran on the probe items), and the effective rank per block and role.
 */
public final class SpectraViewModel {

    /** The fraction of {@code Σσ²} the "rank for energy" column asks for. */
    public static final double ENERGY = 0.9;
    static final int DEFAULT_ITEMS = 8;
    static final String PICK_A_ROW = "Click a row (or a cell of the rank map) to see that weight's spectrum.";

    /** One linear weight and the numbers the table shows. */
    public record Row(MatrixSpectrum spectrum, double effectiveRank, double stableRank, long breakEvenRank,
            int rankForEnergy) {

        static Row of(MatrixSpectrum s) {
            return new Row(s, s.effectiveRankRoyVetterli(), s.stableRank(), s.breakEvenRank(), s.rankForEnergy(ENERGY));
        }

        /** "text 3", "vision 0", "projector": the block the weight belongs to. */
        public String block() {
            return spectrum.layer() < 0 ? spectrum.component() : spectrum.component() + " " + spectrum.layer();
        }

        /** "out × in". */
        public String shape() {
            return spectrum.rows() + " × " + spectrum.cols();
        }
    }

    private final ModelSession session;
    private final SpectraCache cache;
    private Job<SpectraAnalysis.Report> lastRun;

    public final ProbeSource source;
    /** Calibrate on the probe items and compute whitened spectra too (SVD-LLM's view of truncation). */
    public final BooleanProperty whitened = new SimpleBooleanProperty(this, "whitened", false);
    /** One per linear weight, in forward order, as they finish. */
    public final ObservableList<Row> rows = FXCollections.observableArrayList();
    public final ObjectProperty<Row> selected = new SimpleObjectProperty<>(this, "selected");
    /** The selected weight's singular values by index (log y), plain and whitened. */
    public final ObjectProperty<List<LineChartView.Series>> spectrum = new SimpleObjectProperty<>(this, "spectrum",
            List.of());
    /** Energy retained by rank, and the whitened truncation loss as a fraction of its total. */
    public final ObjectProperty<List<LineChartView.Series>> energy = new SimpleObjectProperty<>(this, "energy",
            List.of());
    public final ObjectProperty<List<LineChartView.Marker>> energyMarkers = new SimpleObjectProperty<>(this,
            "energyMarkers", List.of());
    public final StringProperty detail = new SimpleStringProperty(this, "detail", PICK_A_ROW);
    /** Blocks × roles, effective rank (Roy and Vetterli); NaN where a block has no weight of that role. */
    public final ObjectProperty<HeatmapData> rankMap = new SimpleObjectProperty<>(this, "rankMap", HeatmapData.EMPTY);
    public final StringProperty summary = new SimpleStringProperty(this, "summary", "");
    public final BooleanBinding runDisabled;
    /** The selected weight's rank slider, the group slider and the allocator, which edit the shared plan. */
    public final LowRankViewModel lowRank;

    /** With a compression session of its own (tests of the analysis alone). */
    public SpectraViewModel(ModelSession session, Path evalFile, SpectraCache cache) {
        this(session, evalFile, cache, new CompressionSession(session, evalFile));
    }

    public SpectraViewModel(ModelSession session, Path evalFile, SpectraCache cache, CompressionSession compression) {
        this.session = session;
        this.cache = cache;
        this.source = new ProbeSource(evalFile, DEFAULT_ITEMS);
        runDisabled = Bindings.createBooleanBinding(() -> session.busyProperty().get() || !session.readyProperty().get(),
                session.busyProperty(), session.readyProperty());
        selected.addListener((obs, old, row) -> showSelected());
        session.addModelListener(m -> clear());
        lowRank = new LowRankViewModel(compression, Bindings.createStringBinding(
                () -> selected.get() == null ? null : selected.get().spectrum().name(), selected));
    }

    /**
     * Computes (or reads from the spectra cache) every linear weight's singular values, and with
     * {@link #whitened} the calibration Grams over the probe items and the whitened spectra.
     */
    public Job<SpectraAnalysis.Report> run() {
        LoadedModel m = session.model();
        if (m == null) {
            throw new IllegalStateException("no model is open");
        }
        ProbeSource.Spec spec = source.spec();
        boolean calibrate = whitened.get();
        clear();
        String title = "Spectra" + (calibrate ? " · whitened on " + spec.describe() : "");
        lastRun = session.<SpectraAnalysis.Report, MatrixSpectrum>stream(title, (progress, publish) -> {
            CalibrationGrams grams = null;
            if (calibrate) {
                progress.update(Double.NaN, "Reading the probe set …");
                grams = new CalibrationGrams(m, spec.build().items());
            }
            return new SpectraAnalysis(m, cache, grams).run(progress, publish::accept);
        }, this::addRow, this::showReport);
        return lastRun;
    }

    public Job<SpectraAnalysis.Report> lastRun() {
        return lastRun;
    }

    /** Selects the weight of cell {@code (row, col)} of {@link #rankMap}, if the block has that role. */
    public void selectCell(int row, int col) {
        HeatmapData map = rankMap.get();
        if (row < 0 || row >= map.rows() || col < 0 || col >= map.cols()) {
            return;
        }
        String block = map.rowLabels().get(row);
        String role = map.columnLabels().get(col);
        rows.stream().filter(r -> r.block().equals(block) && r.spectrum().role().equals(role)).findFirst()
                .ifPresent(selected::set);
    }

    private void clear() {
        rows.clear();
        selected.set(null);
        rankMap.set(HeatmapData.EMPTY);
        summary.set("");
    }

    private void addRow(MatrixSpectrum s) {
        rows.add(Row.of(s));
        rankMap.set(rankMap(rows));
        if (selected.get() == null) {
            selected.set(rows.get(0));
        }
    }

    private void showReport(SpectraAnalysis.Report report) {
        summary.set(String.format(Locale.ROOT, "%d weights · %d spectra computed, %d read from the cache%s",
                report.spectra().size(), report.computed(), report.fromCache(), report.calibrationPasses() == 0 ? ""
                        : " · " + report.calibrationPasses() + " calibration pass"
                                + (report.calibrationPasses() == 1 ? "" : "es")));
    }

    /** Blocks in order of first appearance down, roles in order of first appearance across. */
    static HeatmapData rankMap(List<Row> rows) {
        List<String> blocks = rows.stream().map(Row::block).distinct().toList();
        List<String> roles = rows.stream().map(r -> r.spectrum().role()).distinct().toList();
        double[][] values = new double[blocks.size()][roles.size()];
        for (double[] line : values) {
            Arrays.fill(line, Double.NaN);
        }
        for (Row r : rows) {
            values[blocks.indexOf(r.block())][roles.indexOf(r.spectrum().role())] = r.effectiveRank();
        }
        return new HeatmapData(values, blocks, roles, "effective rank (Roy & Vetterli)", "", null, List.of());
    }

    private void showSelected() {
        Row row = selected.get();
        if (row == null) {
            spectrum.set(List.of());
            energy.set(List.of());
            energyMarkers.set(List.of());
            detail.set(PICK_A_ROW);
            return;
        }
        MatrixSpectrum s = row.spectrum();
        WhitenedSpectrum w = s.whitened();
        List<LineChartView.Series> sigma = new ArrayList<>();
        sigma.add(byIndex("σ", s.singularValues(), 1));
        if (w != null) {
            sigma.add(byIndex("σ whitened (W·S)", w.singularValues(), 1));
        }
        spectrum.set(sigma);
        List<LineChartView.Series> curves = new ArrayList<>();
        curves.add(byIndex("energy retained", s.energyRetained(), 0));
        if (w != null) {
            double[] loss = w.truncationLoss();
            double[] relative = new double[loss.length];
            for (int k = 0; k < loss.length; k++) {
                relative[k] = loss[0] == 0 ? 0 : loss[k] / loss[0];
            }
            curves.add(byIndex("whitened truncation loss (share of ‖W·Xᵀ‖²)", relative, 0));
        }
        energy.set(curves);
        String energyMark = Math.round(100 * ENERGY) + " % energy";
        List<LineChartView.Marker> markers = new ArrayList<>();
        if (row.breakEvenRank() == row.rankForEnergy()) {
            // One line, one label: two labels at the same x would print over each other.
            markers.add(new LineChartView.Marker(row.rankForEnergy(), energyMark + " = break-even"));
        } else {
            markers.add(new LineChartView.Marker(row.rankForEnergy(), energyMark));
            if (row.breakEvenRank() < s.singularValues().length) {
                markers.add(new LineChartView.Marker(row.breakEvenRank(), "break-even"));
            }
        }
        energyMarkers.set(markers);
        detail.set(s.name() + "  ·  " + row.shape() + "\neffective rank (Roy & Vetterli) "
                + Numbers.compact(row.effectiveRank()) + " · stable rank " + Numbers.compact(row.stableRank())
                + " · break-even rank " + row.breakEvenRank() + " · rank for " + Math.round(100 * ENERGY)
                + " % energy " + row.rankForEnergy() + " of " + s.singularValues().length
                + (w == null ? "" : "\nwhitened: " + w.route().name().toLowerCase(Locale.ROOT) + " route, rank "
                        + w.whitenedRank() + ", " + String.format(Locale.ROOT, "%,d", w.tokens()) + " calibration tokens"));
    }

    /** {@code values[i]} at x = {@code first + i}. */
    private static LineChartView.Series byIndex(String name, double[] values, int first) {
        double[] x = new double[values.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = first + i;
        }
        return new LineChartView.Series(name, x, values);
    }
}
