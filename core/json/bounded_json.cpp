#include "core/json/bounded_json.h"

#include <QString>

namespace atelier {

namespace {

// The deepest nesting of arrays and objects in the text, stopping as soon as it passes `limit`. Brackets inside
// strings do not count. A linear scan ahead of the parser: nlohmann's parse callback, which could stop at a depth
// too, makes the parser search each finished object's parent for discarded members, which is quadratic in the
// number of members (a 12 MB graph of 500,000 nodes took minutes).
bool nestsDeeperThan(QByteArrayView text, int limit)
{
    int depth = 0;
    bool inString = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limit)
                return true;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return false;
}

template <typename Json> Result<Json> parseBounded(QByteArrayView text, int maxDepth)
{
    if (nestsDeeperThan(text, maxDepth))
        return Result<Json>::failure(QStringLiteral("JSON nested deeper than %1 levels").arg(maxDepth),
                                     QStringLiteral("FormatError"));
    try {
        return Json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::exception &error) {
        return Result<Json>::failure(QStringLiteral("not valid JSON (%1)").arg(QString::fromUtf8(error.what())),
                                     QStringLiteral("FormatError"));
    }
}

} // namespace

Result<nlohmann::json> parseBoundedJson(QByteArrayView text, int maxDepth)
{
    return parseBounded<nlohmann::json>(text, maxDepth);
}

template <typename Json> Json parseBoundedJsonOrDiscarded(QByteArrayView text, int maxDepth)
{
    Result<Json> parsed = parseBounded<Json>(text, maxDepth);
    return parsed ? std::move(parsed.value()) : Json(Json::value_t::discarded);
}

template nlohmann::json parseBoundedJsonOrDiscarded<nlohmann::json>(QByteArrayView, int);
template nlohmann::ordered_json parseBoundedJsonOrDiscarded<nlohmann::ordered_json>(QByteArrayView, int);

Result<nlohmann::ordered_json> parseBoundedOrderedJson(QByteArrayView text, int maxDepth)
{
    return parseBounded<nlohmann::ordered_json>(text, maxDepth);
}

} // namespace atelier
