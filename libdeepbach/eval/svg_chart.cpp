// Grouped bar charts written out by hand as SVG 1.1.
#include "eval/svg_chart.hpp"
#include "util/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace deepbach::eval {

using text::xml_escape;

namespace {

constexpr double kCharWidth = 7.2;  // width of a 12px sans-serif character, generously

// A step of 1, 2 or 5 times a power of ten giving about `ticks` intervals up to `max`.
double nice_step(double max, int ticks) {
    if (!(max > 0) || !std::isfinite(max)) return 1.0;
    const double raw = max / ticks;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / magnitude;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
}

std::string number(double value, int decimals) {
    return fmt::format("{:.{}f}", value, decimals);
}

// Decimals that show a tick step exactly (0 for whole steps).
int step_decimals(double step) {
    int d = 0;
    while (d < 6 && std::fabs(step * std::pow(10.0, d) - std::round(step * std::pow(10.0, d))) > 1e-9) ++d;
    return d;
}

// At most `max` bytes, cut before a UTF-8 continuation byte and marked with "~".
std::string shorten(const std::string& text, std::size_t max) {
    if (text.size() <= max) return text;
    std::size_t cut = max - 1;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return text.substr(0, cut) + "~";
}

double clean(double v) {
    return std::isfinite(v) && v > 0 ? v : 0.0;
}

struct Scale {
    double max = 1, step = 1;
    int decimals = 0;
};

Scale scale_for(const BarChart& chart) {
    double max = 0;
    for (const auto& s : chart.series)
        for (double v : s.values) max = std::max(max, clean(v));
    Scale sc;
    sc.step = nice_step(max, 5);
    sc.max = std::max(sc.step, std::ceil(max / sc.step - 1e-9) * sc.step);
    sc.decimals = step_decimals(sc.step);
    return sc;
}

std::string header(double width, double height, const std::string& title) {
    std::string out = fmt::format(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{0:.0f}\" height=\"{1:.0f}\" "
        "viewBox=\"0 0 {0:.0f} {1:.0f}\" font-family=\"sans-serif\" font-size=\"12\">\n",
        width, height);
    out += fmt::format("<title>{}</title>\n", xml_escape(title));
    out += fmt::format("<rect x=\"0\" y=\"0\" width=\"{:.0f}\" height=\"{:.0f}\" fill=\"#ffffff\"/>\n", width,
                       height);
    out += fmt::format("<text x=\"12\" y=\"22\" font-size=\"15\" font-weight=\"bold\">{}</text>\n",
                       xml_escape(title));
    return out;
}

std::string legend(const BarChart& chart, double x, double y) {
    std::string out;
    for (const auto& s : chart.series) {
        out += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"10\" height=\"10\" fill=\"{}\"/>\n", x,
                           y - 9, xml_escape(s.color));
        out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n", x + 14, y, xml_escape(s.name));
        x += 30 + kCharWidth * static_cast<double>(s.name.size());
    }
    return out;
}

double value_at(const BarSeries& s, std::size_t i) {
    return i < s.values.size() ? clean(s.values[i]) : 0.0;
}

std::string vertical(const BarChart& chart) {
    const std::size_t n = chart.categories.size(), k = std::max<std::size_t>(1, chart.series.size());
    const Scale sc = scale_for(chart);
    const double bar = k <= 2 ? 22 : 16, gap = 18, group = static_cast<double>(k) * bar + gap;
    std::size_t longest = 0;
    for (const auto& c : chart.categories) longest = std::max(longest, std::min<std::size_t>(c.size(), 40));
    const bool rotate = static_cast<double>(longest) * kCharWidth > group - 4;
    const double left = 70, right = 24, top = 62, plot_h = 260;
    const double bottom = rotate ? 24 + static_cast<double>(longest) * kCharWidth * 0.6 : 34;
    const double plot_w = static_cast<double>(n) * group;
    const double width = std::max(left + plot_w + right, 420.0), height = top + plot_h + bottom;

    std::string out = header(width, height, chart.title);
    out += legend(chart, left, 44);
    // Grid and value axis.
    for (double v = 0; v <= sc.max + sc.step / 2; v += sc.step) {
        const double y = top + plot_h - v / sc.max * plot_h;
        out += fmt::format(
            "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#dddddd\"/>\n", left, y,
            left + plot_w, y);
        out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 6, y + 4,
                           number(v, sc.decimals));
    }
    out += fmt::format(
        "<text x=\"16\" y=\"{0:.1f}\" text-anchor=\"middle\" transform=\"rotate(-90 16 "
        "{0:.1f})\">{1}</text>\n",
        top + plot_h / 2, xml_escape(chart.value_label));
    // Bars, values and category labels.
    const bool values = n * k <= 48;
    for (std::size_t c = 0; c < n; ++c) {
        const double x0 = left + static_cast<double>(c) * group + gap / 2;
        for (std::size_t s = 0; s < chart.series.size(); ++s) {
            const double v = value_at(chart.series[s], c);
            const double h = v / sc.max * plot_h, x = x0 + static_cast<double>(s) * bar;
            out += fmt::format(
                "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"><title>{}: "
                "{}</title></rect>\n",
                x, top + plot_h - h, bar - 2, h, xml_escape(chart.series[s].color),
                xml_escape(chart.series[s].name + ", " + chart.categories[c]), number(v, chart.decimals));
            if (values)
                out += fmt::format(
                    "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"9\" text-anchor=\"middle\">{}</text>\n",
                    x + (bar - 2) / 2, top + plot_h - h - 3, number(v, chart.decimals));
        }
        const double cx = x0 + static_cast<double>(k) * bar / 2, cy = top + plot_h + 16;
        const std::string label = xml_escape(shorten(chart.categories[c], 40));
        if (rotate)
            out += fmt::format(
                "<text x=\"{0:.1f}\" y=\"{1:.1f}\" text-anchor=\"end\" transform=\"rotate(-35 {0:.1f} "
                "{1:.1f})\">{2}</text>\n",
                cx, cy, label);
        else
            out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", cx, cy,
                               label);
    }
    out += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" stroke=\"#333333\"/>\n", left,
        top + plot_h, left + plot_w);
    out += "</svg>\n";
    return out;
}

std::string horizontal(const BarChart& chart) {
    const std::size_t n = chart.categories.size(), k = std::max<std::size_t>(1, chart.series.size());
    const Scale sc = scale_for(chart);
    std::size_t longest = 0;
    for (const auto& c : chart.categories) longest = std::max(longest, std::min<std::size_t>(c.size(), 36));
    const double bar = 10, gap = 6, row = static_cast<double>(k) * bar + gap;
    const double left = std::max(80.0, static_cast<double>(longest) * kCharWidth + 16), right = 60;
    const double top = 84, plot_w = 520, plot_h = static_cast<double>(n) * row;
    const double width = left + plot_w + right, height = top + plot_h + 36;

    std::string out = header(width, height, chart.title);
    out += legend(chart, 12, 44);
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
                       left + plot_w / 2, top - 26, xml_escape(chart.value_label));
    for (double v = 0; v <= sc.max + sc.step / 2; v += sc.step) {
        const double x = left + v / sc.max * plot_w;
        out += fmt::format(
            "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#dddddd\"/>\n", x,
            top, top + plot_h);
        for (double y : {top - 8, top + plot_h + 16})
            out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n", x, y,
                               number(v, sc.decimals));
    }
    for (std::size_t c = 0; c < n; ++c) {
        const double y0 = top + static_cast<double>(c) * row + gap / 2;
        out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n", left - 8,
                           y0 + static_cast<double>(k) * bar / 2 + 4,
                           xml_escape(shorten(chart.categories[c], 36)));
        for (std::size_t s = 0; s < chart.series.size(); ++s) {
            const double v = value_at(chart.series[s], c);
            const double w = v / sc.max * plot_w, y = y0 + static_cast<double>(s) * bar;
            out += fmt::format(
                "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"><title>{}: "
                "{}</title></rect>\n",
                left, y, w, bar - 1, xml_escape(chart.series[s].color),
                xml_escape(chart.series[s].name + ", " + chart.categories[c]), number(v, chart.decimals));
            out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"9\">{}</text>\n", left + w + 3,
                               y + bar - 2, number(v, chart.decimals));
        }
    }
    out += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#333333\"/>\n", left, top,
        top + plot_h);
    out += "</svg>\n";
    return out;
}

}  // namespace

std::string bar_chart_svg(const BarChart& chart) {
    return chart.horizontal ? horizontal(chart) : vertical(chart);
}

}  // namespace deepbach::eval
