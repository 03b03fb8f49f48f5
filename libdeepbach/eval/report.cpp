// report.md and its charts.
#include <deepbach/report.hpp>

#include "eval/svg_chart.hpp"
#include "util/atomic_file.hpp"

#include <deepbach/error.hpp>

#include <fmt/format.h>

#include <system_error>

namespace deepbach {

using eval::bar_chart_svg;
using eval::BarChart;
using eval::BarSeries;

namespace fs = std::filesystem;

namespace {

const char* const kColors[] = {"#4477aa", "#ee6677", "#228833", "#ccbb44"};

std::string color(std::size_t i) {
    return kColors[i % (sizeof kColors / sizeof kColors[0])];
}

std::string ratio_text(const std::optional<double>& r) {
    return r ? fmt::format("{:.2f}", *r) : std::string("n/a (Bach has none)");
}

// Markdown table cell text: no pipes or line breaks.
std::string cell(std::string text) {
    for (char& ch : text)
        if (ch == '|' || ch == '\n' || ch == '\r') ch = ' ';
    return text;
}

std::string range_text(const VoiceRange& r) {
    return fmt::format("{}-{}", r.lowest, r.highest);
}

}  // namespace

std::optional<double> parallels_ratio(const VoiceLeadingSummary& generated,
                                      const VoiceLeadingSummary& reference) {
    const double ref = reference.per_chorale(reference.total.parallels());
    if (!(ref > 0)) return std::nullopt;
    return generated.per_chorale(generated.total.parallels()) / ref;
}

std::vector<fs::path> write_report(const fs::path& dir, const EvaluationReport& report) {
    if (report.sets.empty()) throw Error("report: nothing to report");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir)) throw Error(dir.string() + ": cannot create the report folder");

    std::vector<VoiceLeadingSummary> summaries;
    for (const auto& set : report.sets) summaries.push_back(summarize(set.stats));
    const bool compare = report.sets.size() >= 2;
    std::vector<fs::path> written;
    auto write = [&](const std::string& name, const std::string& text) {
        const fs::path path = dir / name;
        detail::write_file_atomically(path, text);
        written.push_back(path);
    };

    // Rates per statistic, one series per set.
    BarChart rates;
    rates.title = compare ? "Voice-leading rates: " + report.sets[0].name + " vs " + report.sets[1].name
                          : "Voice-leading rates: " + report.sets[0].name;
    rates.value_label = "per 100 chord events";
    for (const auto& rc : rule_counts(summaries[0].total)) rates.categories.push_back(rc.label);
    for (std::size_t i = 0; i < report.sets.size(); ++i) {
        BarSeries s{report.sets[i].name, color(i), {}};
        for (const auto& rc : rule_counts(summaries[i].total))
            s.values.push_back(summaries[i].per_100_events(rc.count));
        rates.series.push_back(std::move(s));
    }
    write("rates.svg", bar_chart_svg(rates));

    // Parallel fifths plus octaves, chorale by chorale.
    BarChart per;
    per.title = "Parallel fifths + octaves per chorale";
    per.value_label = "parallel fifths + octaves";
    per.horizontal = true;
    per.decimals = 0;
    per.categories = report.chorales;
    for (std::size_t i = 0; i < report.sets.size(); ++i) {
        BarSeries s{report.sets[i].name, color(i), {}};
        for (const auto& st : report.sets[i].stats) s.values.push_back(static_cast<double>(st.parallels()));
        per.series.push_back(std::move(s));
    }
    write("per_chorale.svg", bar_chart_svg(per));

    Agreement agree;
    for (const auto& a : report.agreements) agree += a;
    if (!report.agreements.empty()) {
        BarChart chart;
        chart.title = "Agreement with " + report.sets[0].name + ", tick by tick";
        chart.value_label = "% of ticks";
        chart.decimals = 1;
        chart.categories = {"Alto", "Tenor", "Bass", "alto+tenor+bass"};
        BarSeries pitch{"same pitch", color(0), {}}, pc{"same pitch class", color(2), {}};
        for (int v = kAlto; v <= kBass; ++v) {
            pitch.values.push_back(100 * agree.pitch(v));
            pc.values.push_back(100 * agree.pitch_class(v));
        }
        pitch.values.push_back(100 * agree.lower_pitch());
        pc.values.push_back(100 * agree.lower_pitch_class());
        chart.series = {pitch, pc};
        write("agreement.svg", bar_chart_svg(chart));
    }

    // report.md
    std::string md = "# " + report.title + "\n\n";
    for (const auto& [what, value] : report.settings) md += "- " + what + ": " + value + "\n";
    md += fmt::format("- chorales: {}\n", report.chorales.size());
    md += fmt::format("- ranges (MIDI, soprano alto tenor bass): {}, {}, {}, {}\n\n",
                      range_text(report.options.ranges[0]), range_text(report.options.ranges[1]),
                      range_text(report.options.ranges[2]), range_text(report.options.ranges[3]));

    md += "## Headline: parallel fifths plus octaves per chorale\n\n";
    for (std::size_t i = 0; i < report.sets.size(); ++i)
        md += fmt::format("- {}: **{:.2f}** ({} in {} chorales)\n", report.sets[i].name,
                          summaries[i].per_chorale(summaries[i].total.parallels()),
                          summaries[i].total.parallels(), summaries[i].chorales);
    if (compare)
        md += fmt::format("- ratio {} / {}: **{}**\n", report.sets[1].name, report.sets[0].name,
                          ratio_text(parallels_ratio(summaries[1], summaries[0])));
    md += "\n## Statistics\n\n";
    md += "Counts in all chorales, mean per chorale, and per 100 chord events.\n\n";
    md += "| statistic |";
    std::string rule = "| --- |";
    for (const auto& set : report.sets) {
        md += fmt::format(" {0} total | {0} per chorale | {0} per 100 events |", cell(set.name));
        rule += " ---: | ---: | ---: |";
    }
    md += "\n" + rule + "\n";
    for (const char* row : {"events", "notes"}) {
        md += fmt::format("| {} |", row);
        for (const auto& s : summaries) {
            const std::int64_t v = std::string(row) == "events" ? s.total.events : s.total.notes;
            md += fmt::format(" {} | {:.2f} | |", v, s.per_chorale(v));
        }
        md += "\n";
    }
    const std::size_t rules = rule_counts(summaries[0].total).size();
    for (std::size_t r = 0; r < rules; ++r) {
        md += fmt::format("| {} |", rule_counts(summaries[0].total)[r].label);
        for (const auto& s : summaries) {
            const std::int64_t v = rule_counts(s.total)[r].count;
            md += fmt::format(" {} | {:.2f} | {:.2f} |", v, s.per_chorale(v), s.per_100_events(v));
        }
        md += "\n";
    }
    md += "\n![Voice-leading rates per 100 chord events](rates.svg)\n\n";

    if (!report.agreements.empty()) {
        md += "## Agreement with " + report.sets[0].name + "\n\n";
        md += "Fraction of ticks on which the generated voice sounds the same pitch (or pitch class) as " +
              report.sets[0].name + "'s, rests agreeing with rests.\n\n";
        md += "| voice | same pitch | same pitch class |\n| --- | ---: | ---: |\n";
        for (int v = kAlto; v <= kBass; ++v)
            md += fmt::format("| {} | {:.1f}% | {:.1f}% |\n", voice_name(v), 100 * agree.pitch(v),
                              100 * agree.pitch_class(v));
        md += fmt::format("| alto, tenor, bass | {:.1f}% | {:.1f}% |\n\n", 100 * agree.lower_pitch(),
                          100 * agree.lower_pitch_class());
        md += "![Agreement per voice](agreement.svg)\n\n";
    }

    md += "## Per chorale\n\n![Parallel fifths plus octaves per chorale](per_chorale.svg)\n\n";
    md += fmt::format("| chorale | {} events |", cell(report.sets[0].name));
    rule = "| --- | ---: |";
    for (const auto& set : report.sets) {
        md += fmt::format(
            " {0} parallel 5ths | {0} parallel 8ves | {0} hidden | {0} crossings | {0} out of key |",
            cell(set.name));
        rule += " ---: | ---: | ---: | ---: | ---: |";
    }
    if (!report.agreements.empty()) {
        md += " ATB same pitch |";
        rule += " ---: |";
    }
    md += "\n" + rule + "\n";
    for (std::size_t c = 0; c < report.chorales.size(); ++c) {
        const auto& first = report.sets[0].stats.at(c);
        md += fmt::format("| {} | {} |", cell(report.chorales[c]), first.events);
        for (const auto& set : report.sets) {
            const auto& s = set.stats.at(c);
            md += fmt::format(" {} | {} | {} | {} | {} |", s.parallel_fifths, s.parallel_octaves,
                              s.hidden_fifths + s.hidden_octaves, s.voice_crossings, s.out_of_key);
        }
        if (c < report.agreements.size())
            md += fmt::format(" {:.1f}% |", 100 * report.agreements[c].lower_pitch());
        md += "\n";
    }

    md +=
        "\n## Definitions\n\n"
        "Chord events are the ticks where at least one voice starts a note. Between two consecutive events "
        "where two voices both sound and both move (a held or repeated note does not move):\n\n"
        "- **parallel fifths / octaves**: any two voices move in the same direction and are a fifth "
        "(7 semitones modulo 12) or an octave or unison (0 modulo 12) apart at both events;\n"
        "- **contrary fifths / octaves**: the same, moving in opposite directions;\n"
        "- **hidden fifths / octaves**: soprano and bass move in the same direction into a fifth or octave "
        "from another interval, the soprano by a leap (more than " +
        std::to_string(report.options.hidden_leap) +
        " semitones).\n\n"
        "At each event: **voice crossings** (alto above soprano, tenor above alto or bass above tenor), "
        "**spacing** (soprano-alto or alto-tenor more than " +
        std::to_string(report.options.max_spacing) +
        " semitones apart). **Out of range**: note onsets outside the voice's range above. **Out of key**: "
        "note onsets whose pitch class is not in the scale of the key signature in force (in a minor key the "
        "raised sixth and seventh are in the key). docs/evaluation.md has the rules in full.\n";
    write("report.md", md);
    return written;
}

}  // namespace deepbach
