// Bar charts as self-contained SVG text (no scripts, no external fonts or
// styles), for the evaluation reports.
#pragma once

#include <string>
#include <vector>

namespace deepbach::eval {

struct BarSeries {
    std::string name;            ///< in the legend
    std::string color;           ///< any SVG colour ("#4477aa")
    std::vector<double> values;  ///< one per category; negative values are drawn as 0
};

struct BarChart {
    std::string title;
    std::string value_label;  ///< what the values are ("per 100 events")
    std::vector<std::string> categories;
    std::vector<BarSeries> series;  ///< drawn side by side within each category
    /// Categories down the page, bars to the right (for long lists such as
    /// one row per chorale); otherwise categories along the bottom.
    bool horizontal = false;
    int decimals = 2;  ///< of the value written at the end of each bar
};

/// The chart as a complete SVG document (UTF-8, XML-escaped text).
std::string bar_chart_svg(const BarChart& chart);

}  // namespace deepbach::eval
