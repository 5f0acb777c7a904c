#include "core/json/bounded_json.h"

#include <QString>

namespace atelier {

namespace {

struct TooDeep
{
};

template <typename Json> Result<Json> parseBounded(QByteArrayView text, int maxDepth)
{
    // The parser reports each value's depth as it goes; stopping there keeps the document from ever being built.
    const typename Json::parser_callback_t limit = [maxDepth](int depth, typename Json::parse_event_t, Json &) {
        if (depth > maxDepth)
            throw TooDeep();
        return true;
    };
    try {
        return Json::parse(text.begin(), text.end(), limit);
    } catch (const TooDeep &) {
        return Result<Json>::failure(QStringLiteral("JSON nested deeper than %1 levels").arg(maxDepth),
                                     QStringLiteral("FormatError"));
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
