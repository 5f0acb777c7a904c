#pragma once

#include <QString>

#include <optional>
#include <utility>

namespace atelier {

// The outcome of an operation that can fail for ordinary reasons (a missing file, a bad value): either a value
// or a message a user can act on. Qt-side code returns this instead of throwing across signal boundaries.
template <typename T>
class Result
{
public:
    Result(T value) : m_value(std::move(value)) {}
    static Result failure(QString message)
    {
        Result result;
        result.m_error = std::move(message);
        return result;
    }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const T &value() const & { return *m_value; }
    T &value() & { return *m_value; }
    T &&value() && { return std::move(*m_value); }
    const T *operator->() const { return &*m_value; }
    T *operator->() { return &*m_value; }
    const QString &error() const { return m_error; }

private:
    Result() = default;
    std::optional<T> m_value;
    QString m_error;
};

template <>
class Result<void>
{
public:
    Result() = default;
    static Result failure(QString message)
    {
        Result result;
        result.m_failed = true;
        result.m_error = std::move(message);
        return result;
    }

    bool ok() const { return !m_failed; }
    explicit operator bool() const { return ok(); }
    const QString &error() const { return m_error; }

private:
    bool m_failed = false;
    QString m_error;
};

using Status = Result<void>;

} // namespace atelier
