#pragma once

// Typed reading of an operation's named arguments, with the operation and argument named in every complaint.
#include "core/engine/ops/engine_values.h"

#include <stdexcept>
#include <string>

namespace atelier::engine {

class OpArguments
{
public:
    explicit OpArguments(const OpCall &call)
        : m_call(call)
    {}

    bool has(const std::string &name) const;
    std::int64_t integer(const std::string &name) const; // also an unsigned one in range
    std::int64_t integerOr(const std::string &name, std::int64_t fallback) const;
    std::uint64_t unsignedInteger(const std::string &name) const;
    double real(const std::string &name) const; // also an integer
    double realOr(const std::string &name, double fallback) const;
    bool booleanOr(const std::string &name, bool fallback) const;
    const std::string &text(const std::string &name) const;
    std::string textOr(const std::string &name, const std::string &fallback) const;
    std::vector<std::string> texts(const std::string &name) const; // empty when absent
    const std::vector<RgbImage> &images(const std::string &name) const;

    template <typename Value> std::shared_ptr<const Value> value(const std::string &name) const
    {
        const EngineValuePtr &held = handle(name);
        auto typed = std::dynamic_pointer_cast<const Value>(held);
        if (!typed)
            fail(name, std::string("is a ") + held->kind() + ", not the value this operation takes");
        return typed;
    }
    template <typename Value> std::shared_ptr<const Value> optionalValue(const std::string &name) const
    {
        return has(name) ? value<Value>(name) : nullptr;
    }

    [[noreturn]] void fail(const std::string &name, const std::string &problem) const;

private:
    const OpArgument &argument(const std::string &name) const;
    const EngineValuePtr &handle(const std::string &name) const;
    const OpCall &m_call;
};

} // namespace atelier::engine
