-- An HR database (SQLite and PostgreSQL alike): departments as an adjacency list, employees
-- with a manager and a status, tags in a link table. Load it:
--   sqlite3 hr.db < hr-schema.sql            psql -d hr -f hr-schema.sql
CREATE TABLE departments (
  id        INTEGER PRIMARY KEY,
  parent_id INTEGER REFERENCES departments (id),
  name      VARCHAR(64) NOT NULL,
  sort_no   INTEGER                        -- the order among siblings (higher shows first)
);
CREATE TABLE employees (
  emp_no     INTEGER PRIMARY KEY,
  name       VARCHAR(64) NOT NULL,
  dept_id    INTEGER NOT NULL REFERENCES departments (id),
  mobile     VARCHAR(20),
  email      VARCHAR(128),
  title      VARCHAR(64),
  manager_no INTEGER REFERENCES employees (emp_no),
  status     VARCHAR(8) NOT NULL,          -- 在职 (employed) / 离职 (left)
  hired_on   DATE NOT NULL
);
CREATE TABLE employee_tags (
  emp_no INTEGER NOT NULL REFERENCES employees (emp_no),
  tag    VARCHAR(32) NOT NULL
);
CREATE INDEX employee_tags_emp_no ON employee_tags (emp_no);  -- the members query's tag lookup
INSERT INTO departments VALUES (1, NULL, '示例科技', NULL), (2, 1, '研发中心', 300),
  (3, 2, '平台研发部', NULL), (4, 3, '基础架构组', NULL), (5, 1, '市场部', 200),
  (6, 1, '法务部', 100);                  -- 法务部: no one hired yet
INSERT INTO employees VALUES
  (1001, '陈建国', 1, '13910000001', 'chen.jianguo@example.com', '总经理', NULL, '在职', '2015-03-01'),
  (1002, '李娜', 2, '13910000002', 'li.na@example.com', '研发总监', 1001, '在职', '2016-07-11'),
  (1003, '王强', 3, '139-1000-0003', 'wang.qiang@example.com', '平台研发经理', 1002, '在职', '2018-01-02'),
  (1004, '张伟', 4, NULL, 'zhang.wei@example.com', '工程师', 1003, '在职', '2020-09-15'),
  (1005, '刘洋', 4, '13910000005', 'liu.yang@example.com', '工程师', 1003, '离职', '2019-04-01'),
  (1006, '赵敏', 5, '13910000006', 'zhao.min@example.com', '市场经理', 1001, '在职', '2017-05-20'),
  (1007, '孙丽', 5, '+86 139 1000 0007', 'sun.li@example.com', '市场专员', 1006, '在职', '2021-11-08');
INSERT INTO employee_tags VALUES (1002, '技术委员会'), (1003, '技术委员会'), (1004, '技术委员会'),
  (1004, '新员工'), (1007, '新员工');
