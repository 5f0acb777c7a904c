#pragma once

// Reading fields out of the JSON that other tools write into images, without trusting its shape: a missing key, a
// value of the wrong type or an object where an array was expected reads as "not stated", never as an exception.
// nlohmann's parser keeps an unsigned 64-bit integer exactly (Qt's JSON turns one past 2^63 into a double), which
// ComfyUI's seeds need.
#include "core/json/bounded_json.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <string>

namespace atelier::metadata::json_fields {

using Json = nlohmann::json;

inline const Json &member(const Json &object, const std::string &key)
{
    static const Json absent;
    if (!object.is_object())
        return absent;
    const auto found = object.find(key);
    return found == object.end() ? absent : *found;
}

// An array to iterate over: empty unless `value` is one (iterating a number or string would visit the value itself).
inline const Json &elements(const Json &value)
{
    static const Json none = Json::array();
    return value.is_array() ? value : none;
}

inline std::optional<QString> text(const Json &value)
{
    return value.is_string() ? std::optional<QString>(QString::fromStdString(value.get_ref<const std::string &>()))
                             : std::nullopt;
}

inline std::optional<double> number(const Json &value)
{
    return value.is_number() ? std::optional<double>(value.get<double>()) : std::nullopt;
}

// A whole number that fits an int (steps, sizes); a fraction is cut as the tools that wrote it would.
inline std::optional<int> integer(const Json &value)
{
    const auto real = number(value);
    if (!real || !(*real >= -2147483648.0 && *real <= 2147483647.0))
        return std::nullopt;
    return int(*real);
}

// A seed: a whole number from 0 to 2^64 - 1, exactly. Anything else that is stated (negative, fractional, too
// large, a string) is left out with a warning rather than read as some other seed.
inline std::optional<quint64> seed(const Json &value, QStringList &warnings)
{
    if (value.is_null())
        return std::nullopt;
    if (value.is_number_unsigned())
        return value.get<std::uint64_t>();
    warnings << QStringLiteral("the seed %1 is not a whole number from 0 to 18446744073709551615; it is left out")
                    .arg(QString::fromStdString(value.dump(-1, ' ', false, Json::error_handler_t::replace)).left(64));
    return std::nullopt;
}

// A chunk's JSON object, or an empty one with a warning naming `what` ("the \"sd-metadata\" chunk").
inline Json objectOf(const QString &json, const QString &what, QStringList &warnings)
{
    Result<Json> parsed = parseBoundedJson(json.toUtf8());
    if (!parsed || !parsed.value().is_object()) {
        warnings << QStringLiteral("%1 is not a JSON object; its settings are unknown").arg(what);
        return Json::object();
    }
    return std::move(parsed.value());
}

} // namespace atelier::metadata::json_fields
