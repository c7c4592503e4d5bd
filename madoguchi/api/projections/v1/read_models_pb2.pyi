from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListQueriesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListQueriesResponse(_message.Message):
    __slots__ = ("queries",)
    QUERIES_FIELD_NUMBER: _ClassVar[int]
    queries: _containers.RepeatedCompositeFieldContainer[QueryDescription]
    def __init__(self, queries: _Optional[_Iterable[_Union[QueryDescription, _Mapping]]] = ...) -> None: ...

class QueryDescription(_message.Message):
    __slots__ = ("name", "read_model", "description", "columns", "params")
    NAME_FIELD_NUMBER: _ClassVar[int]
    READ_MODEL_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    name: str
    read_model: str
    description: str
    columns: _containers.RepeatedScalarFieldContainer[str]
    params: _containers.RepeatedCompositeFieldContainer[QueryParam]
    def __init__(self, name: _Optional[str] = ..., read_model: _Optional[str] = ..., description: _Optional[str] = ..., columns: _Optional[_Iterable[str]] = ..., params: _Optional[_Iterable[_Union[QueryParam, _Mapping]]] = ...) -> None: ...

class QueryParam(_message.Message):
    __slots__ = ("name", "kind", "help", "choices", "required", "repeated", "default")
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    HELP_FIELD_NUMBER: _ClassVar[int]
    CHOICES_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_FIELD_NUMBER: _ClassVar[int]
    REPEATED_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_FIELD_NUMBER: _ClassVar[int]
    name: str
    kind: str
    help: str
    choices: _containers.RepeatedScalarFieldContainer[str]
    required: bool
    repeated: bool
    default: str
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[str] = ..., help: _Optional[str] = ..., choices: _Optional[_Iterable[str]] = ..., required: _Optional[bool] = ..., repeated: _Optional[bool] = ..., default: _Optional[str] = ...) -> None: ...

class RunQueryRequest(_message.Message):
    __slots__ = ("query", "params", "page_size", "page_token")
    class ParamsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    QUERY_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    query: str
    params: _containers.ScalarMap[str, str]
    page_size: int
    page_token: str
    def __init__(self, query: _Optional[str] = ..., params: _Optional[_Mapping[str, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class RunQueryResponse(_message.Message):
    __slots__ = ("columns", "rows", "next_page_token")
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    columns: _containers.RepeatedScalarFieldContainer[str]
    rows: _containers.RepeatedCompositeFieldContainer[_struct_pb2.ListValue]
    next_page_token: str
    def __init__(self, columns: _Optional[_Iterable[str]] = ..., rows: _Optional[_Iterable[_Union[_struct_pb2.ListValue, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
