// The figures as JSON (deepbach/report.hpp): the one writer behind the
// command's --json and Python's to_dict().
#include <deepbach/report.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace deepbach {

namespace {

using Json = nlohmann::ordered_json;

std::string lower_name(int voice) {
    std::string name = voice_name(voice);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    return name;
}

Json metrics_json(const VoiceMetrics& m) {
    return {{"nll", m.nll},
            {"accuracy", m.accuracy},
            {"onset_nll", m.onset_nll},
            {"onset_accuracy", m.onset_accuracy},
            {"targets", m.targets},
            {"onset_targets", m.onset_targets}};
}

Json stats_json(const VoiceLeadingStats& s) {
    Json j{{"events", s.events}, {"notes", s.notes}, {"parallels", s.parallels()}};
    for (const auto& rc : rule_counts(s)) j[rc.key] = rc.count;
    j["voice_crossings_by_pair"] = {{"soprano_alto", s.crossings_by_pair[0]},
                                    {"alto_tenor", s.crossings_by_pair[1]},
                                    {"tenor_bass", s.crossings_by_pair[2]}};
    j["spacing_by_pair"] = {{"soprano_alto", s.spacing_by_pair[0]}, {"alto_tenor", s.spacing_by_pair[1]}};
    j["out_of_range_by_voice"] = {{"soprano", s.out_of_range_by_voice[0]},
                                  {"alto", s.out_of_range_by_voice[1]},
                                  {"tenor", s.out_of_range_by_voice[2]},
                                  {"bass", s.out_of_range_by_voice[3]}};
    return j;
}

Json summary_json(const VoiceLeadingSummary& s) {
    Json mean{{"events", s.per_chorale(s.total.events)},
              {"notes", s.per_chorale(s.total.notes)},
              {"parallels", s.per_chorale(s.total.parallels())}};
    Json rate{{"parallels", s.per_100_events(s.total.parallels())}};
    for (const auto& rc : rule_counts(s.total)) {
        mean[rc.key] = s.per_chorale(rc.count);
        rate[rc.key] = s.per_100_events(rc.count);
    }
    return {{"chorales", s.chorales},
            {"totals", stats_json(s.total)},
            {"mean_per_chorale", mean},
            {"per_100_events", rate}};
}

Json agreement_json(const Agreement& a) {
    Json j{{"ticks", a.ticks}};
    for (int v = kAlto; v <= kBass; ++v)
        j[lower_name(v)] = {{"pitch", a.pitch(v)}, {"pitch_class", a.pitch_class(v)}};
    j["lower_voices"] = {{"pitch", a.lower_pitch()}, {"pitch_class", a.lower_pitch_class()}};
    return j;
}

Json mass_json(const ParallelMass& m) {
    Json j{{"mean_mass", m.mean_mass()}, {"written_rate", m.written_rate()}, {"voices", Json::array()}};
    for (int v = 0; v < kNumVoices; ++v) {
        const auto vi = static_cast<std::size_t>(v);
        const double exposed = static_cast<double>(m.exposed[vi]);
        j["voices"].push_back(
            {{"voice", voice_name(v)},
             {"cells", m.cells[vi]},
             {"exposed", m.exposed[vi]},
             {"mass", m.exposed[vi] ? m.mass[vi] / exposed : 0.0},
             {"written_rate", m.exposed[vi] ? static_cast<double>(m.written[vi]) / exposed : 0.0}});
    }
    return j;
}

Json grade_json(const ChoraleGrade& g) {
    Json features = Json::object();
    for (int f = 0; f < kGradeFeatures; ++f)
        features[grade_feature_key(f)] = g.features[static_cast<std::size_t>(f)];
    return {{"key", g.key.name()}, {"grade", g.total}, {"features", features}};
}

Json grade_summary_json(const GradeSummary& s) {
    Json median = Json::object(), mean = Json::object();
    for (int f = 0; f < kGradeFeatures; ++f) {
        median[grade_feature_key(f)] = s.median[static_cast<std::size_t>(f)];
        mean[grade_feature_key(f)] = s.mean[static_cast<std::size_t>(f)];
    }
    median["grade"] = s.median_total;
    mean["grade"] = s.mean_total;
    return {{"chorales", s.chorales}, {"median", median}, {"mean", mean}};
}

Json reference_json(const LoadedGradeReference& r) {
    return {{"folder", r.folder},
            {"split", "train"},
            {"seed", r.seed},
            {"chorales", r.reference.chorales},
            {"major", r.reference.chorales_in_mode[0]},
            {"minor", r.reference.chorales_in_mode[1]}};
}

Json ranges_json(const VoiceLeadingOptions& o) {
    Json j = Json::object();
    for (int v = 0; v < kNumVoices; ++v) {
        const auto& r = o.ranges[static_cast<std::size_t>(v)];
        j[lower_name(v)] = {r.lowest, r.highest};
    }
    return j;
}

Json skipped_json(const std::vector<std::pair<std::string, std::string>>& skipped) {
    Json j = Json::array();
    for (const auto& [name, why] : skipped) j.push_back({{"file", name}, {"reason", why}});
    return j;
}

}  // namespace

std::string to_json(const VoiceMetrics& m) {
    return metrics_json(m).dump();
}
std::string to_json(const VoiceLeadingStats& s) {
    return stats_json(s).dump();
}
std::string to_json(const VoiceLeadingFault& f, const Chorale& chorale) {
    Json j{{"rule", f.rule},
           {"where", chorale.position_at(f.tick)},
           {"tick", f.tick},
           {"voice", voice_name(f.voice)}};
    j["other"] = f.other >= 0 ? Json(voice_name(f.other)) : Json();
    j["text"] = f.text;
    return j.dump();
}
std::string to_json(const VoiceLeadingSummary& s) {
    return summary_json(s).dump();
}
std::string to_json(const Agreement& a) {
    return agreement_json(a).dump();
}
std::string to_json(const ParallelMass& m) {
    return mass_json(m).dump();
}
std::string to_json(const ChoraleGrade& g) {
    return grade_json(g).dump();
}
std::string to_json(const GradeSummary& s) {
    return grade_summary_json(s).dump();
}
std::string to_json(const LoadedGradeReference& r) {
    return reference_json(r).dump();
}
std::string to_json(const VoiceLeadingOptions& o) {
    return ranges_json(o).dump();
}

std::string to_json(const ModelEvaluation& e) {
    Json voices = Json::array();
    for (int v = 0; v < kNumVoices; ++v) {
        Json m{{"voice", voice_name(v)}};
        const Json metrics = metrics_json(e.voices[static_cast<std::size_t>(v)]);
        for (const auto& [key, value] : metrics.items()) m[key] = value;
        voices.push_back(std::move(m));
    }
    return Json{{"chorales", e.chorales},
                {"skipped", e.skipped.size()},
                {"mean_nll", e.mean_nll},
                {"mean_onset_nll", e.mean_onset_nll},
                {"voices", voices},
                {"parallel_mass", mass_json(e.parallel_mass)},
                {"skipped_files", skipped_json(e.skipped)}}
        .dump();
}

std::string to_json(const HarmonizationEvaluation& e) {
    const double pb = e.bach.per_chorale(e.bach.total.parallels());
    const double pg = e.generated.per_chorale(e.generated.total.parallels());
    Json out{{"chorales", e.results.size()}, {"skipped", e.skipped.size()}};
    out["parallels_per_chorale"] = {{"generated", pg},
                                    {"bach", pb},
                                    {"ratio", e.parallels_ratio ? Json(*e.parallels_ratio) : Json(nullptr)}};
    out["bach"] = summary_json(e.bach);
    out["generated"] = summary_json(e.generated);
    out["agreement"] = agreement_json(e.agreement);
    out["parallel_mass"] = {{"bach", mass_json(e.mass_bach)}, {"generated", mass_json(e.mass_generated)}};
    if (e.graded)
        out["grade"] = {
            {"median_grade",
             {{"generated", e.grade_generated.median_total}, {"bach", e.grade_bach.median_total}}},
            {"bach", grade_summary_json(e.grade_bach)},
            {"generated", grade_summary_json(e.grade_generated)}};
    out["results"] = Json::array();
    for (const auto& r : e.results) {
        Json j{{"file", r.name},       {"title", r.title},
               {"seed", r.seed},       {"iterations", r.iterations},
               {"seconds", r.seconds}, {"pseudo_log_likelihood", r.pseudo_log_likelihood}};
        if (!r.output.empty()) j["output"] = r.output;
        j["bach"] = stats_json(r.bach);
        j["generated"] = stats_json(r.generated);
        j["agreement"] = agreement_json(r.agreement);
        if (e.graded)
            j["grade"] = {{"bach", grade_json(r.grade_bach)}, {"generated", grade_json(r.grade_generated)}};
        out["results"].push_back(std::move(j));
    }
    out["skipped_files"] = skipped_json(e.skipped);
    return out.dump();
}

}  // namespace deepbach
