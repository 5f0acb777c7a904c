#include "core/engine/ops/op_arguments.h"

#include <limits>

namespace atelier::engine {

std::int64_t tensorBytes(const torch::Tensor &tensor)
{
    return tensor.defined() ? std::int64_t(tensor.numel()) * std::int64_t(tensor.element_size()) : 0;
}

std::int64_t ConditioningValue::ownBytes() const
{
    std::int64_t bytes = 0;
    for (const ConditioningPart &part : parts)
        bytes += tensorBytes(part.context);
    return bytes;
}

bool OpArguments::has(const std::string &name) const
{
    const auto found = m_call.arguments.find(name);
    return found != m_call.arguments.end() && !std::holds_alternative<std::monostate>(found->second);
}

void OpArguments::fail(const std::string &name, const std::string &problem) const
{
    throw std::invalid_argument(m_call.op + ": the argument \"" + name + "\" " + problem);
}

const OpArgument &OpArguments::argument(const std::string &name) const
{
    if (!has(name))
        fail(name, "is missing");
    return m_call.arguments.at(name);
}

std::int64_t OpArguments::integer(const std::string &name) const
{
    const OpArgument &held = argument(name);
    if (const auto *value = std::get_if<std::int64_t>(&held))
        return *value;
    if (const auto *value = std::get_if<std::uint64_t>(&held)) {
        if (*value > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
            fail(name, "is too large");
        return std::int64_t(*value);
    }
    fail(name, "must be a whole number");
}

std::int64_t OpArguments::integerOr(const std::string &name, std::int64_t fallback) const
{
    return has(name) ? integer(name) : fallback;
}

std::uint64_t OpArguments::unsignedInteger(const std::string &name) const
{
    const OpArgument &held = argument(name);
    if (const auto *value = std::get_if<std::uint64_t>(&held))
        return *value;
    if (const auto *value = std::get_if<std::int64_t>(&held)) {
        if (*value < 0)
            fail(name, "must not be negative");
        return std::uint64_t(*value);
    }
    fail(name, "must be a whole number");
}

double OpArguments::real(const std::string &name) const
{
    const OpArgument &held = argument(name);
    if (const auto *value = std::get_if<double>(&held))
        return *value;
    if (const auto *value = std::get_if<std::int64_t>(&held))
        return double(*value);
    if (const auto *value = std::get_if<std::uint64_t>(&held))
        return double(*value);
    fail(name, "must be a number");
}

double OpArguments::realOr(const std::string &name, double fallback) const
{
    return has(name) ? real(name) : fallback;
}

bool OpArguments::booleanOr(const std::string &name, bool fallback) const
{
    if (!has(name))
        return fallback;
    if (const auto *value = std::get_if<bool>(&argument(name)))
        return *value;
    fail(name, "must be true or false");
}

const std::string &OpArguments::text(const std::string &name) const
{
    if (const auto *value = std::get_if<std::string>(&argument(name)))
        return *value;
    fail(name, "must be text");
}

std::string OpArguments::textOr(const std::string &name, const std::string &fallback) const
{
    return has(name) ? text(name) : fallback;
}

std::vector<std::string> OpArguments::texts(const std::string &name) const
{
    if (!has(name))
        return {};
    if (const auto *value = std::get_if<std::vector<std::string>>(&argument(name)))
        return *value;
    fail(name, "must be a list of texts");
}

const std::vector<RgbImage> &OpArguments::images(const std::string &name) const
{
    if (const auto *value = std::get_if<std::vector<RgbImage>>(&argument(name)))
        return *value;
    fail(name, "must be images");
}

const EngineValuePtr &OpArguments::handle(const std::string &name) const
{
    const auto *value = std::get_if<EngineValuePtr>(&argument(name));
    if (!value || !*value)
        fail(name, "must be a value the engine made");
    return *value;
}

} // namespace atelier::engine
